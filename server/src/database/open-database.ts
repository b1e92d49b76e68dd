import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../shared/application/logger.js";
import type { AppConfig } from "../config/config.js";
import { Database } from "./database.js";
import { applyMigrations } from "./migrations/migrate.js";
import { createPglite } from "./pglite.js";

export { IN_MEMORY_PGLITE } from "./pglite.js";

/** Connects to the configured database and brings its schema up to date before anyone uses it. */
export async function openDatabase(config: AppConfig["database"], logger: Logger): Promise<Database> {
  if (config.kind === "postgres") {
    const { applied } = await applyMigrations({ kind: "postgres", url: config.url });
    logMigrations(logger, applied);
    const adapter = new PrismaPg({ connectionString: config.url, max: 10 });
    return new Database(new PrismaClient({ adapter }), "postgres", async () => {});
  }
  const pglite = await createPglite(config.dataDir);
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

function logMigrations(logger: Logger, applied: string[]): void {
  if (applied.length > 0) logger.info(`applied ${applied.length} migration(s)`, { migrations: applied });
}
