import { maskRedisUrl } from "../cache/create-cache.js";
import type { AppConfig } from "../config/config.js";
import { EVENT_BUS, type EventBus } from "../shared/application/event-bus.js";
import type { Logger } from "../shared/application/logger.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { InProcessEventBus } from "./in-process.event-bus.js";
import type { RedisEventBusOptions } from "./redis.event-bus.js";

/**
 * Picks the event bus from configuration: Redis pub/sub when REDIS_URL is set (API and worker
 * processes see each other's events), in-process otherwise. Like the cache, creating the Redis one
 * does not wait for a connection: a Redis that is down at start-up is an outage, not a crash.
 * The Redis adapter (and ioredis) is imported only when it is configured.
 */
export async function createEventBus(
  config: AppConfig,
  logger: Logger,
  redisOptions: Partial<Omit<RedisEventBusOptions, "url">> = {},
): Promise<PlatformAdapter<EventBus>> {
  if (config.redisUrl) {
    const { RedisEventBus } = await import("./redis.event-bus.js");
    const bus = new RedisEventBus({ ...redisOptions, url: config.redisUrl }, logger);
    return {
      port: "event bus",
      token: EVENT_BUS,
      value: bus,
      describe: `Redis pub/sub (${maskRedisUrl(config.redisUrl)})`,
      close: () => bus.close(),
      healthCheck: { name: "event bus", adapter: "redis", check: () => bus.ping() },
    };
  }
  const bus = new InProcessEventBus(logger);
  return {
    port: "event bus",
    token: EVENT_BUS,
    value: bus,
    describe: "in-process",
    close: () => bus.close(),
    healthCheck: null,
  };
}
