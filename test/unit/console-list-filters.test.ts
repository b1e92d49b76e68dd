import { describe, expect, it } from "vitest";
import { auditListInput, localToIso, usersListInput } from "../../console/src/admin/list-filters.js";

describe("console admin list filters", () => {
  it("leaves empty user filters out and trims the email", () => {
    expect(usersListInput({ email: "  ", role: "", tier: "" })).toEqual({});
    expect(usersListInput({ email: " Ann@ ", role: "ADMIN", tier: "PREMIUM" })).toEqual({
      email: "Ann@",
      role: "ADMIN",
      tier: "PREMIUM",
    });
  });

  it("reads datetime-local values in the local time zone", () => {
    expect(localToIso("")).toBeUndefined();
    expect(localToIso("not a date")).toBeUndefined();
    expect(localToIso("2026-12-06T14:30")).toBe(new Date(2026, 11, 6, 14, 30).toISOString());
  });

  it("keeps the whole last minute in the audit range, as the server's `to` is exclusive", () => {
    const input = auditListInput({
      action: "credits.granted",
      actorId: " a1 ",
      from: "2026-12-06T14:00",
      to: "2026-12-06T14:30",
    });
    expect(input).toEqual({
      action: "credits.granted",
      actorId: "a1",
      from: new Date(2026, 11, 6, 14, 0).toISOString(),
      to: new Date(2026, 11, 6, 14, 31).toISOString(),
    });
    expect(auditListInput({ action: "", actorId: "", from: "", to: "" })).toEqual({});
  });
});
