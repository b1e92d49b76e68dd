import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildPgliteTemplate, seedFromTemplate } from "../../server/src/database/pglite-template.js";

/** initdb runs once here, for the template: slow on a busy 2-core machine. */
const INITDB_TIMEOUT_MS = 120_000;

describe("the PGlite data directory template", () => {
  let root: string;
  let template: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "reelbase-template-"));
    template = path.join(root, "cache", "pglite-test");
    await mkdir(path.join(root, "cache", "pglite-0.0.0-older"), { recursive: true });
    expect(await buildPgliteTemplate(template)).toEqual({ dir: template, created: true });
  }, INITDB_TIMEOUT_MS);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("is built once, in place of older versions' templates, with no staging folder left", async () => {
    expect(await buildPgliteTemplate(template)).toEqual({ dir: template, created: false });
    expect(await readdir(path.join(root, "cache"))).toEqual(["pglite-test"]);
  });

  it(
    "seeds an empty data directory with a database PGlite opens as its own",
    async () => {
      const dataDir = path.join(root, "seeded");
      await mkdir(dataDir);
      expect(await seedFromTemplate(dataDir, template)).toBe(true);
      expect(await readdir(root)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.tmp-/)]));

      const db = await PGlite.create({ dataDir });
      try {
        await db.exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
        expect((await db.query("SELECT x FROM t")).rows).toEqual([{ x: 1 }]);
      } finally {
        await db.close();
      }
      // The template itself is untouched: the next data directory starts empty of tables.
      const next = path.join(root, "next");
      expect(await seedFromTemplate(next, template)).toBe(true);
      const fresh = await PGlite.create({ dataDir: next });
      try {
        expect((await fresh.query("SELECT to_regclass('public.t') AS t")).rows).toEqual([{ t: null }]);
      } finally {
        await fresh.close();
      }
    },
    INITDB_TIMEOUT_MS,
  );

  it("leaves alone a directory that holds a database or anything else, and works without a template", async () => {
    const seededAgain = path.join(root, "seeded");
    expect(await seedFromTemplate(seededAgain, template)).toBe(false);

    const other = path.join(root, "other");
    await mkdir(other);
    await writeFile(path.join(other, "notes.txt"), "mine");
    expect(await seedFromTemplate(other, template)).toBe(false);
    expect(await readdir(other)).toEqual(["notes.txt"]);

    const empty = path.join(root, "empty");
    await mkdir(empty);
    expect(await seedFromTemplate(empty, path.join(root, "no-such-template"))).toBe(false);
    expect(await readdir(empty)).toEqual([]);
  });
});
