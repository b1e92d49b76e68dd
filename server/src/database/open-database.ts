import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../shared/application/logger.js";
import type { AppConfig } from "../config/config.js";
import { Database } from "./database.js";
import { applyMigrations } from "./migrations/migrate.js";

/** A data directory of `memory://` keeps PGlite in memory: tests use it for isolation. */
export const IN_MEMORY_PGLITE = "memory://";

/** Connects to the configured database and brings its schema up to date before anyone uses it. */
export async function openDatabase(config: AppConfig["database"], logger: Logger): Promise<Database> {
  if (config.kind === "postgres") {
    const { applied } = await applyMigrations({ kind: "postgres", url: config.url });
    logMigrations(logger, applied);
    const adapter = new PrismaPg({ connectionString: config.url, max: 10 });
    return new Database(new PrismaClient({ adapter }), "postgres", async () => {});
  }
  const pglite = await openPglite(config.dataDir);
  try {
    const { applied } = await applyMigrations({ kind: "pglite", db: pglite });
    logMigrations(logger, applied);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return new Database(prisma, "pglite", () => pglite.close());
}

async function openPglite(dataDir: string): Promise<PGlite> {
  if (dataDir === IN_MEMORY_PGLITE) return PGlite.create();
  await mkdir(dataDir, { recursive: true });
  return PGlite.create({ dataDir });
}

function logMigrations(logger: Logger, applied: string[]): void {
  if (applied.length > 0) logger.info(`applied ${applied.length} migration(s)`, { migrations: applied });
}
