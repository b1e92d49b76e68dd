import { existsSync } from "node:fs";
import path from "node:path";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../shared/application/logger.js";
import type { AppConfig } from "../config/config.js";
import { Database } from "./database.js";
import { applyMigrations, defaultMigrationPaths, type MigrationTarget } from "./migrations/migrate.js";
import { createPglite, IN_MEMORY_PGLITE } from "./pglite.js";
import { pgliteTemplateAvailable } from "./pglite-template.js";

export { IN_MEMORY_PGLITE } from "./pglite.js";

/**
 * Connects to the configured database and brings its schema up to date before anyone uses it.
 * Ends with one query through Prisma: its first query loads the query compiler (3 MB of WASM,
 * about half a second), which is better spent here, while main.ts is still importing the rest
 * of the application, than on the first request (the first readiness probe).
 */
export async function openDatabase(config: AppConfig["database"], logger: Logger): Promise<Database> {
  if (config.kind === "postgres") {
    logger.info("opening database PostgreSQL (DATABASE_URL)");
    await migrate({ kind: "postgres", url: config.url }, logger);
    // Imported here, not at the top: the embedded default never loads pg and its Prisma adapter.
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const adapter = new PrismaPg({ connectionString: config.url, max: 10 });
    return firstQuery(new Database(new PrismaClient({ adapter }), "postgres", async () => {}));
  }
  logger.info(`opening database PGlite (${config.dataDir})${pgliteOpeningNote(config.dataDir)}`);
  const pglite = await createPglite(config.dataDir);
  try {
    await migrate({ kind: "pglite", db: pglite }, logger);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return firstQuery(new Database(prisma, "pglite", () => pglite.close()));
}

async function firstQuery(database: Database): Promise<Database> {
  try {
    await database.ping();
    return database;
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** PGlite's first open of a data directory initialises a whole cluster: say so, or the pause looks like a hang. */
function pgliteOpeningNote(dataDir: string): string {
  if (dataDir === IN_MEMORY_PGLITE) return " — in memory, this takes a few seconds";
  if (existsSync(path.join(dataDir, "PG_VERSION"))) return "";
  if (pgliteTemplateAvailable()) return " — first start creates it from the template npm install prepared";
  return " — first start creates it, this takes a few seconds";
}

async function migrate(target: MigrationTarget, logger: Logger): Promise<void> {
  const onPending = (pending: string[]): void => {
    if (pending.length === 0) logger.info("database schema up to date");
    else logger.info(`applying ${pending.length} pending migration(s)…`, { migrations: pending });
  };
  const { applied } = await applyMigrations(target, defaultMigrationPaths(), { onPending });
  if (applied.length > 0) logger.info(`applied ${applied.length} migration(s)`);
}
