import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputsDigest } from "../../scripts/console-build.mjs";

const digestOf = (root: string): string => inputsDigest(root);

describe("when npm start rebuilds the console", () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  function checkout(): string {
    root = mkdtempSync(path.join(tmpdir(), "console-digest-"));
    for (const dir of ["console/src/screens", "client/src", "server/src/shared/domain", "server/src/modules"]) {
      mkdirSync(path.join(root, dir), { recursive: true });
    }
    const files: Record<string, string> = {
      "console/src/main.tsx": "render()",
      "console/src/screens/Videos.tsx": "list()",
      "console/index.html": "<div id=root>",
      "client/src/index.ts": "export {}",
      "server/src/shared/domain/error-codes.ts": "export const ErrorCodes = {}",
      "server/src/modules/other.ts": "unrelated",
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
    return root;
  }

  it("keeps the build while nothing that goes into it changed", () => {
    const dir = checkout();
    const before = digestOf(dir);
    expect(digestOf(dir)).toBe(before);
    writeFileSync(path.join(dir, "server/src/modules/other.ts"), "changed, but the console does not import it");
    expect(digestOf(dir)).toBe(before);
  });

  it("rebuilds after an edit to a screen, the client or the error codes, and after a new file", () => {
    const dir = checkout();
    let previous = digestOf(dir);
    const edits: (() => void)[] = [
      () => writeFileSync(path.join(dir, "console/src/screens/Videos.tsx"), "list(more)"),
      () => utimesSync(path.join(dir, "client/src/index.ts"), new Date(), new Date(Date.now() + 5_000)),
      () => writeFileSync(path.join(dir, "server/src/shared/domain/error-codes.ts"), "export const ErrorCodes = { A: 'A' }"),
      () => writeFileSync(path.join(dir, "console/src/screens/Keys.tsx"), "keys()"),
    ];
    for (const edit of edits) {
      edit();
      const now = digestOf(dir);
      expect(now).not.toBe(previous);
      previous = now;
    }
  });
});
