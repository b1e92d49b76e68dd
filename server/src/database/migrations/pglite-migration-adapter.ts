import type { PGlite } from "@electric-sql/pglite";
import { createPglite } from "../pglite.js";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

import { scriptError, type MigrationAdapter } from "./schema-engine.js";

/**
 * Builds the factory the schema engine drives for an embedded PGlite database.
 *
 * The main connection is the caller's instance and is never closed here: the server
 * keeps using it for its Prisma client. Shadow databases are fresh in-memory instances,
 * closed when the engine disposes them (pglite-prisma-adapter's own shadow factory
 * never closes them, and gives every one the same name).
 */
export function createPGliteMigrationAdapter(db: PGlite): MigrationAdapter {
  const shadows = new Set<PGlite>();

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    async connect() {
      return withAwaitedScripts(await new PrismaPGlite(db).connect(), db);
    },
    async connectToShadowDb() {
      const shadow = await createPglite();
      shadows.add(shadow);
      const adapter = withAwaitedScripts(await new PrismaPGlite(shadow).connect(), shadow);
      adapter.dispose = async () => {
        if (shadows.delete(shadow)) await shadow.close();
      };
      return adapter;
    },
  };

  return {
    factory,
    async close() {
      const open = [...shadows];
      shadows.clear();
      await Promise.all(open.map((shadow) => shadow.close()));
    },
  };
}

/**
 * pglite-prisma-adapter 0.7.2 starts `exec(script)` without awaiting it: a failing
 * migration is then recorded as applied and its error surfaces later as an unhandled
 * rejection. `exec` runs the script as one simple-protocol query, so like the CLI on
 * Postgres a migration is applied atomically.
 */
function withAwaitedScripts(adapter: SqlDriverAdapter, db: PGlite): SqlDriverAdapter {
  adapter.executeScript = async (script) => {
    try {
      await db.exec(script);
    } catch (error) {
      throw scriptError(error, script);
    }
  };
  return adapter;
}
