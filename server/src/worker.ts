import "reflect-metadata";
import { ConfigError } from "./config/config.js";
import { createAppContainer } from "./container.js";
import { runProcess } from "./process-runner.js";

// No queue consumers exist yet (jobs arrive with the jobs context); the process already
// boots the same container and shuts down cleanly so deployments can include it.
await runProcess("worker", async (config, logger) => {
  if (config.database.kind === "pglite") {
    // PGlite is one process's database: a second process opening ./data/pg would corrupt it.
    throw new ConfigError([
      "npm run worker needs a shared database and queue: set DATABASE_URL (PostgreSQL) and REDIS_URL. " +
        "Without them, `npm start` runs the jobs inside the API process.",
    ]);
  }
  const { lifecycle } = await createAppContainer(config, logger);
  logger.info("worker started; no queues are consumed yet");
  return { close: () => lifecycle.close() };
});
