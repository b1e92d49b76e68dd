import type { Redis } from "ioredis";
import { maskRedisUrl } from "../cache/create-cache.js";
import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { noRateLimits, RATE_LIMITS, type RateLimits } from "../shared/application/rate-limits.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { FlexibleRateLimits, memoryLimiter } from "./flexible-rate-limits.js";

export interface RateLimitRedisOptions {
  /** Upper bound on one Redis command; past it the call is counted in memory. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

/**
 * Picks the rate-limit store from configuration: Redis when REDIS_URL is set (every API process
 * spends one budget), in memory otherwise; nothing at all with RATE_LIMITS=off. Like the cache, the
 * Redis one does not wait for a connection, and while Redis is unreachable each limit counts in an
 * in-memory insurance limiter of the same rule (per process), never failing a call. No readiness
 * check: a limiter that falls back is not a reason to take the API out of service.
 */
export async function createRateLimits(
  config: AppConfig,
  logger: Logger,
  redisOptions: RateLimitRedisOptions = {},
): Promise<PlatformAdapter<RateLimits>> {
  const { enabled, rules, keyPrefix } = config.rateLimits;
  if (!enabled) {
    return {
      port: "rate limits",
      token: RATE_LIMITS,
      value: noRateLimits,
      describe: "off",
      close: async () => {},
      healthCheck: null,
    };
  }
  if (config.redisUrl) {
    const [{ Redis: RedisClient }, { RateLimiterRedis }] = await Promise.all([
      import("ioredis"),
      import("rate-limiter-flexible"),
    ]);
    const maxReconnectDelayMs = redisOptions.maxReconnectDelayMs ?? 2_000;
    const client = new RedisClient(config.redisUrl, {
      // While disconnected a command fails at once (and the insurance limiter counts it), never queues.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: redisOptions.commandTimeoutMs ?? 250,
      connectTimeout: redisOptions.connectTimeoutMs ?? 1_000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs),
      connectionName: "reelbase-rate-limits",
      // Calls arriving together share one write and one read of the socket instead of one each.
      enableAutoPipelining: true,
    });
    let outage = false;
    client.on("error", (error: Error) => {
      if (outage) return;
      outage = true;
      logger.warn("rate limits: Redis unreachable; counting in memory per process until it is back", { error: error.message });
    });
    client.on("ready", () => {
      if (!outage) return;
      outage = false;
      logger.info("rate limits: Redis is back; budgets are shared again");
    });
    // Until the connection is ready every call counts in memory: give it a moment at start-up, so
    // the first calls already spend the shared budget, but never fail or hold up a start for long.
    await readyOrTimeout(client, redisOptions.connectTimeoutMs ?? 1_000);
    const limits = new FlexibleRateLimits(
      rules,
      (name, rule) =>
        new RateLimiterRedis({
          storeClient: client,
          keyPrefix: `${keyPrefix}:${name}`,
          points: rule.points,
          duration: rule.windowSeconds,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memoryLimiter(name, rule),
        }),
      logger,
    );
    return {
      port: "rate limits",
      token: RATE_LIMITS,
      value: limits,
      describe: `Redis (${maskRedisUrl(config.redisUrl)})`,
      close: async () => {
        client.disconnect();
      },
      healthCheck: null,
    };
  }
  return {
    port: "rate limits",
    token: RATE_LIMITS,
    value: new FlexibleRateLimits(rules, memoryLimiter, logger),
    describe: "in-process",
    close: async () => {},
    healthCheck: null,
  };
}

function readyOrTimeout(client: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once("ready", done);
  });
}
