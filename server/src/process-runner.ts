import { ConfigError, loadConfig, type AppConfig } from "./config/config.js";
import { createWinstonLogger } from "./logging/winston-logger.js";
import type { Logger } from "./shared/application/logger.js";

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
    const shutdown = async (signal: string) => {
      logger.info(`${name} received ${signal}, shutting down`);
      await running.close();
      logger.info(`${name} stopped`);
      process.exit(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    logger.error(`${name} failed to start`, { error });
    process.exit(1);
  }
}
