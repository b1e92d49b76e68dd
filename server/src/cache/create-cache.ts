import type { AppConfig } from "../config/config.js";
import { CACHE, type Cache } from "../shared/application/cache.js";
import type { Logger } from "../shared/application/logger.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { InMemoryCache } from "./in-memory.cache.js";

/**
 * Picks the cache adapter from configuration: Redis when REDIS_URL is set, the in-process
 * LRU otherwise. Creating the Redis one does not wait for a connection: an unreachable Redis
 * at start-up is an outage like any other (warned, served from the database), not a crash.
 * The Redis adapter (and ioredis) is imported only when it is configured.
 */
export async function createCache(config: AppConfig, logger: Logger): Promise<PlatformAdapter<Cache>> {
  const defaultTtlSeconds = config.cache.ttlSeconds;
  if (config.redisUrl) {
    const { RedisCache } = await import("./redis.cache.js");
    const redis = new RedisCache({ url: config.redisUrl, defaultTtlSeconds }, logger);
    return {
      port: "cache",
      token: CACHE,
      value: redis,
      describe: `Redis (${maskRedisUrl(config.redisUrl)})`,
      close: () => redis.close(),
      healthCheck: { name: "cache", adapter: "redis", check: () => redis.ping() },
    };
  }
  return {
    port: "cache",
    token: CACHE,
    value: new InMemoryCache({ defaultTtlSeconds, logger }),
    describe: "in-process",
    close: async () => {},
    healthCheck: null,
  };
}

/** The URL with any password replaced, fit for logs. */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "unparseable URL"; // the URL may be mostly password; echo none of it
  }
}
