import "reflect-metadata";
import { createDatabaseAdapter } from "./database/database.adapter.js";
import { runProcess } from "./process-runner.js";

await runProcess("api", async (config, logger) => {
  // The database opens (PGlite: WASM Postgres start-up and the migration check) while the rest of
  // the application is imported: both take about a second, and the import mostly waits on tsx's
  // loader thread, which leaves the main thread free for the database's work.
  const database = createDatabaseAdapter(config, logger);
  database.catch(() => undefined); // reported where startApi awaits it; not an unhandled rejection meanwhile
  let bootstrap: typeof import("./bootstrap.js");
  try {
    bootstrap = await import("./bootstrap.js");
  } catch (error) {
    await database.then((adapter) => adapter.close()).catch(() => undefined);
    throw error;
  }
  const api = await bootstrap.startApi(config, logger, undefined, { database });
  logger.info(`Reelbase API listening on ${api.url} (tRPC at ${api.url}/trpc)`);
  return api;
});
