import "reflect-metadata";
import { ConfigError } from "./config/config.js";
import { createAppContainer } from "./container.js";
import { startHousekeeping } from "./housekeeping/start-housekeeping.js";
import { startJobConsumer } from "./jobs-consumer.js";
import { startIntegrations } from "./start-integrations.js";
import { startMetricsPort } from "./metrics/serve-metrics.js";
import { runProcess } from "./process-runner.js";

await runProcess("worker", async (config, logger) => {
  if (config.database.kind === "pglite") {
    // PGlite is one process's database: a second process opening ./data/pg would corrupt it.
    throw new ConfigError([
      "npm run worker needs a shared database and queue: set DATABASE_URL (PostgreSQL) and REDIS_URL. " +
        "Without them, `npm start` runs the jobs inside the API process.",
    ]);
  }
  const { container, lifecycle } = await createAppContainer(config, logger);
  await startJobConsumer(container);
  startIntegrations(container, lifecycle);
  // A worker serves /metrics only on METRICS_PORT: it has no other HTTP server.
  await startMetricsPort(container, config, lifecycle, logger);
  await startHousekeeping(container, lifecycle);
  logger.info("worker started; processing jobs");
  return { close: () => lifecycle.close() };
});
