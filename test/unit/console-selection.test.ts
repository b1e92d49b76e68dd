import { describe, expect, it } from "vitest";
import { toggleInOrder } from "../../console/src/account/selection.js";

const SCOPES = ["videos:read", "videos:write", "jobs:read", "jobs:write"] as const;

describe("console checkbox selection", () => {
  it("keeps the options' order whatever order they were ticked in", () => {
    let selected = toggleInOrder<string>([], "jobs:write", true, SCOPES);
    selected = toggleInOrder(selected, "videos:read", true, SCOPES);
    expect(selected).toEqual(["videos:read", "jobs:write"]);
  });

  it("adds an item once and removes it when unticked", () => {
    expect(toggleInOrder(["videos:read"], "videos:read", true, SCOPES)).toEqual(["videos:read"]);
    expect(toggleInOrder(["videos:read", "jobs:read"], "videos:read", false, SCOPES)).toEqual(["jobs:read"]);
    expect(toggleInOrder([], "jobs:read", false, SCOPES)).toEqual([]);
  });

  it("drops what is not an option", () => {
    expect(toggleInOrder(["gone:scope"], "jobs:read", true, SCOPES)).toEqual(["jobs:read"]);
  });
});
