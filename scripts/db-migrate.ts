/**
 * Replaces `prisma migrate deploy|dev --create-only|status`, which need a schema-engine
 * binary this project cannot download, with Prisma's WASM schema engine.
 *
 *   tsx scripts/db-migrate.ts deploy          apply pending migrations
 *   tsx scripts/db-migrate.ts create <name>   write the next migration from the schema
 *   tsx scripts/db-migrate.ts status          list applied/pending (exit 1 if pending)
 *
 * Target: DATABASE_URL (Postgres) if set, else the PGlite data directory at
 * PGLITE_DATA_DIR (default ./data/pg). PGlite is single-process: stop a server using
 * the same directory first.
 */
import path from "node:path";

import { createPglite } from "../server/src/database/pglite.js";

import {
  applyMigrations,
  createMigration,
  defaultMigrationPaths,
  migrationStatus,
  type MigrationTarget,
} from "../server/src/database/migrations/migrate.js";

const USAGE = "usage: db-migrate deploy | create <name> | status";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "deploy" && command !== "create" && command !== "status") {
    console.error(USAGE);
    return 2;
  }
  const name = rest.join(" ").trim();
  if (command === "create" && !name) {
    console.error("db-migrate create: a migration name is required, e.g. npm run db:migration -- add_tags");
    return 2;
  }

  const paths = defaultMigrationPaths();
  const { target, description, close } = await openTarget();
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    console.log(`Database: ${description}`);
    switch (command) {
      case "deploy": {
        const { applied } = await applyMigrations(target, paths);
        if (applied.length === 0) console.log(`No pending migrations to apply (${took()}).`);
        else console.log(`Applied ${plural(applied.length, "migration")} (${took()}):\n${list(applied)}`);
        return 0;
      }
      case "create": {
        const created = await createMigration(name, target, paths);
        if (!created) {
          console.log(`The schema matches the migrations: nothing to create (${took()}).`);
          return 0;
        }
        const file = path.relative(process.cwd(), path.join(created.dir, "migration.sql"));
        console.log(`Created ${file} (${took()}). Review it, then run npm run db:migrate.`);
        return 0;
      }
      case "status": {
        const { applied, pending } = await migrationStatus(target, paths);
        console.log(`${plural(applied.length, "migration")} applied.`);
        if (pending.length === 0) {
          console.log("Database schema is up to date.");
          return 0;
        }
        console.log(`${plural(pending.length, "migration")} not applied (or failed):\n${list(pending)}`);
        console.log("Run npm run db:migrate to apply them.");
        return 1;
      }
    }
  } finally {
    await close();
  }
}

async function openTarget(): Promise<{ target: MigrationTarget; description: string; close(): Promise<void> }> {
  const url = process.env["DATABASE_URL"];
  if (url) {
    return { target: { kind: "postgres", url }, description: redact(url), close: async () => undefined };
  }
  const dataDir = path.resolve(process.env["PGLITE_DATA_DIR"] ?? "data/pg");
  const db = await createPglite(dataDir);
  return {
    target: { kind: "pglite", db },
    description: `PGlite at ${path.relative(process.cwd(), dataDir) || "."}`,
    close: () => db.close(),
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL, unparseable)";
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const list = (names: string[]) => names.map((n) => `  - ${n}`).join("\n");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`db-migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
