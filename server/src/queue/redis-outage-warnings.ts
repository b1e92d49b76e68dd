import type { Redis } from "ioredis";
import type { Logger } from "../shared/application/logger.js";

/**
 * One warning when a connection starts failing and one line when it is ready again, instead of a
 * warning for every reconnect attempt in between (ioredis retries every few hundred milliseconds).
 * An error while the connection is ready is not an outage: each of those is logged.
 */
export function outageWarnings(
  connection: Redis,
  logger: Logger,
  name: string,
  consequence: string,
): { failed: (error: Error) => void; over: () => void } {
  let failing = false;
  return {
    failed: (error) => {
      const fields = { error: { name: error.name, message: error.message } };
      if (connection.status === "ready") return logger.warn(`${name} error`, fields);
      if (failing) return;
      failing = true;
      logger.warn(`${name}: Redis unreachable; ${consequence}`, fields);
    },
    over: () => {
      if (!failing) return;
      failing = false;
      logger.info(`${name}: Redis reachable again`);
    },
  };
}
