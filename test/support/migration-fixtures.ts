import { cp, mkdtemp, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import {
  defaultMigrationPaths,
  type MigrationPaths,
  type MigrationTarget,
} from "../../server/src/database/migrations/migrate.js";
import { createPglite } from "../../server/src/database/pglite.js";
import { createScratchDatabase } from "./services.js";

// The global setup found (or, in CI, required) the PostgreSQL server; null means this run has none.
const postgresUrl = inject("postgresUrl");
const ADMIN_URL = postgresUrl ?? "";
export const repoPaths = defaultMigrationPaths();

/** A fresh database of one kind, plus a way to look inside it without the code under test. */
export interface Fixture {
  target: MigrationTarget;
  query<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export const backends: { name: string; open: () => Promise<Fixture> }[] = [
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

export async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** A scratch copy of prisma/ so tests can add migrations or edit the schema. */
export async function copyPrismaDir(): Promise<MigrationPaths & { root: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "reelbase-migrations-"));
  const migrationsDir = path.join(root, "migrations");
  await cp(repoPaths.migrationsDir, migrationsDir, { recursive: true });
  const schemaPath = path.join(root, "schema.prisma");
  await cp(repoPaths.schemaPath, schemaPath);
  return { root, schemaPath, migrationsDir };
}
