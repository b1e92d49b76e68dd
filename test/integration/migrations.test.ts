import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  applyMigrations,
  createMigration,
  diffSchemaToMigrations,
  migrationStatus,
  type MigrationPaths,
} from "../../server/src/database/migrations/migrate.js";

import { backends, copyPrismaDir, migrationNames, repoPaths, type Fixture } from "../support/migration-fixtures.js";

const APP_TABLES = [
  "api_keys",
  "audit_logs",
  "credit_accounts",
  "credit_entries",
  "jobs",
  "outbox_events",
  "pending_object_deletions",
  "playback_views",
  "refresh_tokens",
  "sessions",
  "stored_files",
  "upload_sessions",
  "users",
  "videos",
  "webhook_attempts",
  "webhook_deliveries",
  "webhook_endpoints",
];

/** The schema engine replays every migration into a shadow database: slow on a busy 2-core machine. */
const SCHEMA_ENGINE_TIMEOUT_MS = 120_000;

describe.each(backends)("migrations on $name", ({ open }) => {
  describe("on an empty database", () => {
    let fx: Fixture;
    let expected: string[];
    beforeAll(async () => {
      fx = await open();
      expected = await migrationNames(repoPaths.migrationsDir);
    });
    afterAll(async () => {
      await fx?.close();
    });

    it("applies every migration and creates the tables", async () => {
      expect(expected.length).toBeGreaterThan(0);
      expect((await migrationStatus(fx.target)).pending).toEqual(expected);

      const told: string[][] = [];
      const { applied } = await applyMigrations(fx.target, repoPaths, { onPending: (pending) => told.push(pending) });

      expect(told).toEqual([expected]);
      expect(applied).toEqual(expected);
      const tables = await fx.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.map((t) => t.table_name)).toEqual(["_prisma_migrations", ...APP_TABLES]);
    });

    it("applies nothing the second time, and says beforehand that nothing is pending", async () => {
      const told: string[][] = [];
      expect(await applyMigrations(fx.target, repoPaths, { onPending: (pending) => told.push(pending) })).toEqual({
        applied: [],
      });
      expect(told).toEqual([[]]);
    });

    it("records each migration like the CLI: finished, sha256 of migration.sql", async () => {
      const rows = await fx.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
      }>("SELECT * FROM _prisma_migrations ORDER BY migration_name");

      expect(rows.map((r) => r.migration_name)).toEqual(expected);
      for (const row of rows) {
        const sql = await readFile(path.join(repoPaths.migrationsDir, row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    });

    it("reports no pending migration afterwards", async () => {
      expect(await migrationStatus(fx.target)).toEqual({ pending: [], applied: expected });
    });

    it(
      "finds no difference between the schema and the migrations",
      async () => {
        const sql = await diffSchemaToMigrations(fx.target);
        const statements = sql.replace(/--.*$/gm, "").trim();
        expect(statements).toBe("");
      },
      SCHEMA_ENGINE_TIMEOUT_MS,
    );

    it("leaves the target usable", async () => {
      await expect(fx.query("SELECT count(*) FROM users")).resolves.toEqual([{ count: expect.anything() }]);
    });
  });

  describe("with a broken migration", () => {
    let fx: Fixture;
    let paths: MigrationPaths & { root: string };
    const broken = "99990101000000_broken";
    beforeAll(async () => {
      fx = await open();
      paths = await copyPrismaDir();
      await mkdir(path.join(paths.migrationsDir, broken));
      await writeFile(
        path.join(paths.migrationsDir, broken, "migration.sql"),
        'CREATE TABLE "broken_probe" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
      );
    });
    afterAll(async () => {
      await fx?.close();
      if (paths) await rm(paths.root, { recursive: true, force: true });
    });

    it("throws naming the migration and the database error, atomically", async () => {
      const failure = applyMigrations(fx.target, paths);
      await expect(failure).rejects.toThrow(broken);
      await expect(failure).rejects.toThrow(/no_such_table/);

      const probe = await fx.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'broken_probe'");
      expect(probe).toEqual([]);
      const [row] = await fx.query<{ finished_at: Date | null; logs: string | null }>(
        `SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '${broken}'`,
      );
      expect(row?.finished_at).toBeNull();
      expect(row?.logs).toMatch(/no_such_table/);
    });

    it("blocks the next deploy, as the CLI does (P3009)", async () => {
      await expect(applyMigrations(fx.target, paths)).rejects.toThrow(/P3009/);
      expect((await migrationStatus(fx.target, paths)).pending).toEqual([broken]);
    });
  });

  describe("creating a migration", () => {
    let fx: Fixture;
    let paths: MigrationPaths & { root: string };
    beforeAll(async () => {
      fx = await open();
      paths = await copyPrismaDir();
      await rm(path.join(paths.migrationsDir, "migration_lock.toml"));
    });
    afterAll(async () => {
      await fx?.close();
      if (paths) await rm(paths.root, { recursive: true, force: true });
    });

    it(
      "returns null and writes nothing when the schema matches",
      async () => {
        expect(await createMigration("nothing", fx.target, paths)).toBeNull();
        expect(await readdir(paths.migrationsDir)).not.toContain("migration_lock.toml");
      },
      SCHEMA_ENGINE_TIMEOUT_MS,
    );

    it(
      "writes the next migration and the CLI's lockfile",
      async () => {
        const schema = await readFile(paths.schemaPath, "utf8");
        await writeFile(
          paths.schemaPath,
          schema.replace("  name         String?\n", "  name         String?\n  nickname     String?\n"),
        );

        const created = await createMigration("add userNickname", fx.target, paths);

        expect(created?.dir).toMatch(/[/\\]\d{14}_add_user_nickname$/);
        expect(created?.sql).toContain('ALTER TABLE "users" ADD COLUMN     "nickname" TEXT;');
        expect(await readFile(path.join(created?.dir ?? "", "migration.sql"), "utf8")).toBe(created?.sql);
        expect(await readFile(path.join(paths.migrationsDir, "migration_lock.toml"), "utf8")).toBe(
          await readFile(path.join(repoPaths.migrationsDir, "migration_lock.toml"), "utf8"),
        );
        expect(await createMigration("again", fx.target, paths)).toBeNull();
        expect((await applyMigrations(fx.target, paths)).applied).toContain(path.basename(created?.dir ?? ""));
      },
      SCHEMA_ENGINE_TIMEOUT_MS,
    );
  });
});
