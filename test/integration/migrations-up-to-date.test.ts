import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { applyMigrations, type MigrationPaths } from "../../server/src/database/migrations/migrate.js";
import * as schemaEngine from "../../server/src/database/migrations/schema-engine.js";

import { backends, copyPrismaDir, migrationNames, repoPaths, type Fixture } from "../support/migration-fixtures.js";

// The engine's entry point, observed: a start-up with nothing to migrate must not load it.
vi.mock("../../server/src/database/migrations/schema-engine.js", { spy: true });

/**
 * `applyMigrations` on a database whose history already has every migration: what deploy would
 * still report there (failed attempts, a lockfile of another provider) must keep coming from the
 * engine, and everything deploy ignores must keep being ignored, without the engine.
 */
describe.each(backends)("applyMigrations with nothing pending on $name", ({ open }) => {
  let fx: Fixture;
  let paths: MigrationPaths & { root: string };
  let expected: string[];
  beforeAll(async () => {
    fx = await open();
    paths = await copyPrismaDir();
    expected = await migrationNames(repoPaths.migrationsDir);
    expect((await applyMigrations(fx.target, paths)).applied).toEqual(expected);
  });
  afterAll(async () => {
    await fx?.close();
    if (paths) await rm(paths.root, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.mocked(schemaEngine.createSchemaEngine).mockClear();
  });

  const deploy = async () => {
    const told: string[][] = [];
    const result = await applyMigrations(fx.target, paths, { onPending: (pending) => told.push(pending) });
    return { ...result, told };
  };
  const insertRow = (name: string, finished: boolean) =>
    fx.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('${name}', 'not-a-checksum', '${name}', now(), ${finished ? "now()" : "NULL"}, ${finished ? 1 : 0})`,
    );

  it("applies nothing, says so, and does not start the schema engine", async () => {
    expect(await deploy()).toEqual({ applied: [], told: [[]] });
    expect(schemaEngine.createSchemaEngine).not.toHaveBeenCalled();
  });

  it("ignores rows of migrations that are not in the folder, as deploy does", async () => {
    await insertRow("20990101000000_elsewhere", true);
    try {
      expect(await deploy()).toEqual({ applied: [], told: [[]] });
      expect(schemaEngine.createSchemaEngine).not.toHaveBeenCalled();
    } finally {
      await fx.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20990101000000_elsewhere'`);
    }
  });

  it("leaves a failed attempt, even of an unknown migration, to the engine: P3009", async () => {
    await insertRow("20990101000000_failed", false);
    try {
      await expect(deploy()).rejects.toThrow(/P3009[\s\S]*20990101000000_failed/);
      expect(schemaEngine.createSchemaEngine).toHaveBeenCalledOnce();
    } finally {
      await fx.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20990101000000_failed'`);
    }
  });

  it("leaves a lockfile naming another provider to the engine: P3019", async () => {
    const lockfile = path.join(paths.migrationsDir, "migration_lock.toml");
    const original = await readFile(lockfile, "utf8");
    await writeFile(lockfile, 'provider = "mysql"\n');
    try {
      await expect(deploy()).rejects.toThrow(/P3019/);
      expect(schemaEngine.createSchemaEngine).toHaveBeenCalledOnce();
    } finally {
      await writeFile(lockfile, original);
    }
  });

  it("accepts a folder without a lockfile without the engine, as deploy does", async () => {
    const lockfile = path.join(paths.migrationsDir, "migration_lock.toml");
    const original = await readFile(lockfile, "utf8");
    await rm(lockfile);
    try {
      expect(await deploy()).toEqual({ applied: [], told: [[]] });
      expect(schemaEngine.createSchemaEngine).not.toHaveBeenCalled();
    } finally {
      await writeFile(lockfile, original);
    }
  });
});
