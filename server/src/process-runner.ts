import { ConfigError, loadConfig, type AppConfig } from "./config/config.js";
import { createWinstonLogger } from "./logging/winston-logger.js";
import type { Logger } from "./shared/application/logger.js";

/** What closing everything but the HTTP server (its own grace period) may take. */
const CLOSE_MARGIN_MS = 5_000;

/**
 * Shared by the API and worker entry points: read config once (a bad one ends the process
 * with every problem named), then run, and close everything on SIGTERM/SIGINT.
 */
export async function runProcess(
  name: string,
  start: (config: AppConfig, logger: Logger) => Promise<{ close: () => Promise<void> }>,
): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createWinstonLogger({ level: config.log.level, json: config.isProduction });
  try {
    const running = await start(config, logger);
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) {
        // A second signal: the operator does not want to wait.
        logger.warn(`${name} received ${signal} again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      logger.info(`${name} received ${signal}, shutting down`);
      // The HTTP server's grace period is SHUTDOWN_TIMEOUT_MS; the rest (queue, Redis, database)
      // closes in moments. A close that hangs past both must not keep the process alive.
      const deadline = setTimeout(() => {
        logger.error(`${name} did not stop within ${config.http.shutdownTimeoutMs + CLOSE_MARGIN_MS} ms, exiting`);
        process.exit(1);
      }, config.http.shutdownTimeoutMs + CLOSE_MARGIN_MS);
      deadline.unref();
      await running.close();
      logger.info(`${name} stopped`);
      process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    logger.error(`${name} failed to start`, { error });
    process.exit(1);
  }
}
