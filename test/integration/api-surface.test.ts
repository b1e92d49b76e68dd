import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { routerProcedures, type ProcedureType } from "../../server/src/openapi/procedures.js";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { struckThroughPaths } from "../support/deprecations.js";

/**
 * The API's surface against its record, test/fixtures/api-surface.json (docs/adr/0028-api-evolution.md):
 * adding a procedure is fine but must be recorded; a procedure leaves only after a commit that
 * recorded it deprecated; the router's deprecations, the record's and the client's types agree.
 * Each failure says what to do.
 */
const SNAPSHOT = "test/fixtures/api-surface.json";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ADR = "docs/adr/0028-api-evolution.md";

const entrySchema = z.strictObject({ type: z.enum(["query", "mutation", "subscription"]), deprecated: z.boolean() });
const snapshotSchema = z.object({ procedures: z.record(z.string(), entrySchema) });
type Entry = z.infer<typeof entrySchema>;

const line = (path: string, entry: Entry) => `"${path}": ${JSON.stringify(entry).replace(/,/g, ", ").replace(/:/g, ": ")}`;

function readSnapshot(text: string): Record<string, Entry> {
  return snapshotSchema.parse(JSON.parse(text)).procedures;
}

/**
 * The record as a commit holds it, or null without git, without that commit, or without the file in
 * it; a base named by API_SURFACE_BASE must exist (CI asked for the check, so it may not be skipped).
 */
function committedSnapshot(revision: string): Record<string, Entry> | null {
  const git = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
  if (process.env.API_SURFACE_BASE) git(["rev-parse", "--verify", `${revision}^{commit}`]);
  try {
    return readSnapshot(git(["show", `${revision}:${SNAPSHOT}`]));
  } catch {
    return null;
  }
}

/**
 * The commit the record is compared with for removals: API_SURFACE_BASE if set (CI: the target branch);
 * HEAD while the record has uncommitted changes (a developer's tree); else HEAD~1 (the commit under test).
 */
function baseRevision(current: string): string {
  const fromEnv = process.env.API_SURFACE_BASE;
  if (fromEnv) return fromEnv;
  try {
    const committed = execFileSync("git", ["show", `HEAD:${SNAPSHOT}`], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
    return committed === current ? "HEAD~1" : "HEAD";
  } catch {
    return "HEAD";
  }
}

/** Every way the router and the record disagree, each as what to do about it. */
function surfaceProblems(
  router: ReadonlyArray<{ path: string; type: ProcedureType; deprecated: boolean }>,
  snapshot: Readonly<Record<string, Entry>>,
): string[] {
  const problems: string[] = [];
  const live = new Map(router.map((procedure) => [procedure.path, procedure]));
  for (const { path, type, deprecated } of router) {
    const recorded = snapshot[path];
    if (!recorded) {
      problems.push(
        `${path} (${type}) is new: add ${line(path, { type, deprecated })} to "procedures" in ${SNAPSHOT}. ` +
          `An additive change is fine; the client's next release is a minor one (${ADR}).`,
      );
      continue;
    }
    if (recorded.type !== type) {
      problems.push(
        `${path} changed from a ${recorded.type} to a ${type}, which breaks every caller: keep the ${recorded.type}, ` +
          `add the ${type} under a new name, and deprecate the old one (${ADR}).`,
      );
    }
    if (deprecated && !recorded.deprecated) {
      problems.push(
        `${path} is deprecated in its meta but not in the record: set "deprecated": true for it in ${SNAPSHOT}, ` +
          `give its router key a /** @deprecated … */ JSDoc, and release the client as a minor version (${ADR}).`,
      );
    }
    if (!deprecated && recorded.deprecated) {
      problems.push(
        `${path} is recorded deprecated but its meta no longer says so: put back .meta({ deprecated: { since, use } }) ` +
          `on it, or, if it is current again on purpose, set "deprecated": false for it in ${SNAPSHOT} and drop its @deprecated JSDoc.`,
      );
    }
  }
  for (const [path, recorded] of Object.entries(snapshot)) {
    if (live.has(path)) continue;
    problems.push(
      recorded.deprecated
        ? `${path} was removed after its deprecation: delete its entry from ${SNAPSHOT} in the same commit; ` +
            `the client's next release is a major one (${ADR}).`
        : `${path} disappeared without a deprecation, which breaks every caller: restore it, deprecate it first ` +
            `(.meta({ deprecated: { since, use } }), a /** @deprecated … */ JSDoc on its router key, "deprecated": true here), ` +
            `release that, and remove it in a later major release (${ADR}).`,
    );
  }
  return problems;
}

/** Entries the record lost since `base` that `base` did not hold deprecated. */
function removalsWithoutDeprecation(
  base: Readonly<Record<string, Entry>>,
  snapshot: Readonly<Record<string, Entry>>,
  revision: string,
): string[] {
  return Object.entries(base)
    .filter(([path, entry]) => !(path in snapshot) && !entry.deprecated)
    .map(
      ([path]) =>
        `${path} left ${SNAPSHOT} although ${revision} did not record it deprecated: a procedure is removed only in a ` +
        `commit after the one that marked it deprecated. Restore the procedure and its entry with "deprecated": true, ` +
        `commit and release that, then remove both (${ADR}).`,
    );
}

describe("the API surface against test/fixtures/api-surface.json", () => {
  const text = readFileSync(`${ROOT}/${SNAPSHOT}`, "utf8");
  const snapshot = readSnapshot(text);
  const procedures = routerProcedures(appRouter).map(({ path, type, deprecated }) => ({
    path,
    type,
    deprecated: deprecated !== null,
  }));

  it("records every procedure of appRouter with its type and deprecation, and nothing else", () => {
    const problems = surfaceProblems(procedures, snapshot);
    expect(problems, `\n${problems.join("\n\n")}\n`).toEqual([]);
  });

  it("drops from the record only what an earlier commit recorded deprecated", () => {
    const revision = baseRevision(text);
    const base = committedSnapshot(revision);
    // Without git history (an export, a shallow clone) there is nothing to compare with.
    if (base === null) return;
    const problems = removalsWithoutDeprecation(base, snapshot, revision);
    expect(problems, `\n${problems.join("\n\n")}\n`).toEqual([]);
  });

  it("tells a developer what to do for each kind of change", () => {
    const recorded: Record<string, Entry> = {
      "a.kept": { type: "query", deprecated: false },
      "a.gone": { type: "query", deprecated: false },
      "a.retired": { type: "mutation", deprecated: true },
      "a.flipped": { type: "query", deprecated: false },
      "a.undeprecated": { type: "query", deprecated: true },
      "a.retyped": { type: "query", deprecated: false },
    };
    const problems = surfaceProblems(
      [
        { path: "a.kept", type: "query", deprecated: false },
        { path: "a.added", type: "mutation", deprecated: false },
        { path: "a.flipped", type: "query", deprecated: true },
        { path: "a.undeprecated", type: "query", deprecated: false },
        { path: "a.retyped", type: "mutation", deprecated: false },
      ],
      recorded,
    );
    expect(problems).toHaveLength(6);
    const about = (path: string) => problems.find((problem) => problem.startsWith(`${path} `)) ?? "";
    expect(about("a.added")).toContain(`add "a.added": {"type": "mutation", "deprecated": false} to "procedures"`);
    expect(about("a.gone")).toContain("disappeared without a deprecation");
    expect(about("a.retired")).toContain(`delete its entry from ${SNAPSHOT}`);
    expect(about("a.flipped")).toContain(`set "deprecated": true for it`);
    expect(about("a.undeprecated")).toContain(`set "deprecated": false`);
    expect(about("a.retyped")).toContain("changed from a query to a mutation");
    // Flipping an entry to deprecated and removing it in one change is caught against the commit before;
    // an entry deprecated there (a.retired, a.undeprecated) may go.
    const removed = removalsWithoutDeprecation(recorded, { "a.kept": { type: "query", deprecated: false } }, "HEAD");
    expect(removed.map((problem) => problem.split(" ")[0])).toEqual(["a.gone", "a.flipped", "a.retyped"]);
  });

  it("strikes through in the client's types exactly the procedures whose meta is deprecated", () => {
    const header = ['import type { ReelbaseClient } from "../../client/src/index.js";', "declare const client: ReelbaseClient;"];
    const paths = procedures.map(({ path }) => path);
    const struck = struckThroughPaths("api-surface-snippet.ts", header, paths);
    const deprecated = procedures.filter((procedure) => procedure.deprecated).map(({ path }) => path);
    const missing = deprecated.filter((path) => !struck.includes(path));
    const extra = struck.filter((path) => !deprecated.includes(path));
    expect(
      missing,
      `give each of these router keys a /** @deprecated Since <version>: use <path>. */ JSDoc, so the client's editor shows it: ${missing.join(", ")}`,
    ).toEqual([]);
    expect(
      extra,
      `these are @deprecated in the types but not in their meta; add meta.deprecated or drop the JSDoc: ${extra.join(", ")}`,
    ).toEqual([]);
  }, 120_000);
});
