import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { createPglite } from "../../server/src/database/pglite.js";
import pg from "pg";
import { createScratchDatabase } from "../support/services.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import {
  applyMigrations,
  createMigration,
  defaultMigrationPaths,
  diffSchemaToMigrations,
  migrationStatus,
  type MigrationPaths,
  type MigrationTarget,
} from "../../server/src/database/migrations/migrate.js";

// The global setup found (or, in CI, required) the PostgreSQL server; null means this run has none.
const postgresUrl = inject("postgresUrl");
const ADMIN_URL = postgresUrl ?? "";
const repoPaths = defaultMigrationPaths();
const APP_TABLES = [
  "api_keys",
  "audit_logs",
  "credit_accounts",
  "credit_entries",
  "jobs",
  "refresh_tokens",
  "sessions",
  "stored_files",
  "users",
  "videos",
];

/** A fresh database of one kind, plus a way to look inside it without the code under test. */
interface Fixture {
  target: MigrationTarget;
  query<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

const backends: { name: string; open: () => Promise<Fixture> }[] = [
  ...(postgresUrl ? [{ name: "PostgreSQL", open: openPostgres }] : []),
  { name: "PGlite", open: openPGlite },
];

async function openPostgres(): Promise<Fixture> {
  const scratch = await createScratchDatabase(ADMIN_URL, "migrations_test");
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  return {
    target: { kind: "postgres", url: scratch.url },
    query: async (sql) => (await client.query(sql)).rows,
    close: async () => {
      await client.end();
      await scratch.drop();
    },
  };
}

async function openPGlite(): Promise<Fixture> {
  const db = await createPglite();
  return {
    target: { kind: "pglite", db },
    query: async <T>(sql: string) => (await db.query<T>(sql)).rows,
    close: () => db.close(),
  };
}

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** A scratch copy of prisma/ so tests can add migrations or edit the schema. */
async function copyPrismaDir(): Promise<MigrationPaths & { root: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "reelbase-migrations-"));
  const migrationsDir = path.join(root, "migrations");
  await cp(repoPaths.migrationsDir, migrationsDir, { recursive: true });
  const schemaPath = path.join(root, "schema.prisma");
  await cp(repoPaths.schemaPath, schemaPath);
  return { root, schemaPath, migrationsDir };
}

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

  describe("the credits migration", () => {
    let fx: Fixture;
    let paths: MigrationPaths & { root: string };
    let creditsMigration: string | undefined;
    beforeAll(async () => {
      fx = await open();
      paths = await copyPrismaDir();
      [creditsMigration] = (await migrationNames(paths.migrationsDir)).filter((name) => name.endsWith("_add_credits"));
    });
    afterAll(async () => {
      await fx?.close();
      if (paths) await rm(paths.root, { recursive: true, force: true });
    });

    it("gives every existing user the sign-up grant of their current tier", async () => {
      expect(creditsMigration).toBeDefined();
      const parked = path.join(paths.root, "parked");
      // Apply everything before it, as a database deployed before credits existed.
      const later = (await migrationNames(paths.migrationsDir)).filter((name) => name >= creditsMigration!);
      await mkdir(parked);
      for (const name of later) await cp(path.join(paths.migrationsDir, name), path.join(parked, name), { recursive: true });
      for (const name of later) await rm(path.join(paths.migrationsDir, name), { recursive: true });
      await applyMigrations(fx.target, paths);
      await fx.query(`
        INSERT INTO users (id, email, password_hash, tier, updated_at) VALUES
          ('00000000-0000-4000-8000-000000000001', 'free@example.com', 'x', 'FREE', now()),
          ('00000000-0000-4000-8000-000000000002', 'premium@example.com', 'x', 'PREMIUM', now())`);

      for (const name of later) await cp(path.join(parked, name), path.join(paths.migrationsDir, name), { recursive: true });
      expect((await applyMigrations(fx.target, paths)).applied).toContain(creditsMigration);

      const accounts = await fx.query<{ email: string; balance: number; last_seq: number }>(
        "SELECT u.email, a.balance, a.last_seq FROM credit_accounts a JOIN users u ON u.id = a.user_id ORDER BY u.email",
      );
      expect(accounts).toEqual([
        { email: "free@example.com", balance: 30, last_seq: 1 },
        { email: "premium@example.com", balance: 300, last_seq: 1 },
      ]);
      const entries = await fx.query<{ email: string; kind: string; amount: number; balance_after: number; seq: number }>(
        "SELECT u.email, e.kind::text AS kind, e.amount, e.balance_after, e.seq FROM credit_entries e JOIN users u ON u.id = e.user_id ORDER BY u.email",
      );
      expect(entries).toEqual([
        { email: "free@example.com", kind: "GRANT", amount: 30, balance_after: 30, seq: 1 },
        { email: "premium@example.com", kind: "GRANT", amount: 300, balance_after: 300, seq: 1 },
      ]);
    });

    it("adds the CHECK constraint that keeps balances non-negative", async () => {
      await expect(fx.query("UPDATE credit_accounts SET balance = balance - 31")).rejects.toThrow(
        /credit_accounts_balance_check/,
      );
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
