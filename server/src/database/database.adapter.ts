import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { DATABASE, type Database } from "./database.js";
import { openDatabase } from "./open-database.js";

/** PostgreSQL when DATABASE_URL is set, the embedded PGlite otherwise; migrated before it is returned. */
export async function createDatabaseAdapter(config: AppConfig, logger: Logger): Promise<PlatformAdapter<Database>> {
  const database = await openDatabase(config.database, logger);
  return {
    port: "database",
    token: DATABASE,
    value: database,
    describe: config.database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite (${config.database.dataDir})`,
    close: () => database.close(),
    healthCheck: { name: "database", adapter: database.kind, check: () => database.ping() },
  };
}
