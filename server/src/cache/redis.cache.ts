import { Redis } from "ioredis";
import type { Cache } from "../shared/application/cache.js";
import type { Logger } from "../shared/application/logger.js";
import { encode } from "./encode-json.js";

export interface RedisCacheOptions {
  url: string;
  /** TTL of a `set` that names none. */
  defaultTtlSeconds: number;
  /** Namespaces every key, so the cache can share a Redis with the queue and rate limits. */
  keyPrefix?: string;
  /** Upper bound on one command; past it the call is a miss. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reconnect attempts back off exponentially up to this delay, and never stop. */
  maxReconnectDelayMs?: number;
  /** After a failed command, calls skip Redis for this long instead of each waiting for a timeout. */
  failFastMs?: number;
}

const MAX_PENDING_DELETES = 10_000;

/**
 * The Redis adapter of the cache port (values as JSON, `SET key value EX ttl`).
 *
 * A cache outage must cost a request nothing but the cache, so nothing here waits for Redis:
 * no offline queue (a command while disconnected fails at once), no retries per request, a
 * short command timeout for a Redis that is connected but stuck, and after any failure a short
 * window in which calls skip Redis entirely. Reconnection runs in the background forever.
 *
 * An outage is logged once when it starts and once when it ends, never per request.
 *
 * Deletes that fail are kept (bounded) and replayed when Redis is back, and their keys read as
 * misses meanwhile: otherwise an invalidation lost in an outage would let the old value be
 * served again for a whole TTL once Redis returns.
 */
/** KEYS: the entry, the blocker; ARGV: the JSON, the TTL in seconds. Redis runs a script atomically. */
const SET_UNLESS_SCRIPT = `if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[2])
return 1`;

export class RedisCache implements Cache {
  private readonly client: Redis;
  private readonly defaultTtlSeconds: number;
  private readonly failFastMs: number;
  private outageSince: number | null = null;
  private skipUntil = 0;
  /** Key → generation of its latest failed delete, so a replay never clears a newer one. */
  private readonly pendingDeletes = new Map<string, number>();
  private generation = 0;
  private replaying = false;
  private wasReady = false;
  private closed = false;

  constructor(
    options: RedisCacheOptions,
    private readonly logger: Logger,
  ) {
    this.defaultTtlSeconds = options.defaultTtlSeconds;
    this.failFastMs = options.failFastMs ?? 1_000;
    const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2_000;
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? "rb:",
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A command written before a disconnect must not be replayed later: a late SET could
      // put back a value that a delete in between has invalidated.
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs),
      connectionName: "reelbase-cache",
      // Commands issued in the same tick (concurrent cache misses, whose reads Prisma batches into
      // one query and so resume together) go out in one write: ~15 % more misses per second in
      // `npm run bench -- request-path`.
      enableAutoPipelining: true,
    });
    // Without an "error" listener ioredis prints every failed reconnect to stderr.
    this.client.on("error", (error: Error) => this.failed(error));
    this.client.on("ready", () => {
      this.wasReady = true;
      this.recovered();
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (this.pendingDeletes.has(key)) return undefined;
    const json = await this.attempt(() => this.client.get(key));
    if (json === undefined || json === null) return undefined;
    try {
      return JSON.parse(json) as T;
    } catch {
      return undefined; // not written by this adapter; a miss, and the source of truth wins
    }
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const ttl = Math.ceil(ttlSeconds ?? this.defaultTtlSeconds);
    const json = encode(value);
    if (json === undefined || ttl <= 0) {
      await this.delete(key); // nothing cacheable: at least no older value outlives this write
      if (json === undefined) this.logger.warn("cache: value is not JSON-serialisable, not cached", { key });
      return;
    }
    await this.attempt(() => this.client.set(key, json, "EX", ttl));
  }

  async setUnless(key: string, value: unknown, blocker: string, ttlSeconds?: number): Promise<void> {
    const ttl = Math.ceil(ttlSeconds ?? this.defaultTtlSeconds);
    const json = encode(value);
    if (json === undefined || ttl <= 0) return this.set(key, value, ttlSeconds);
    await this.attempt(() => this.client.eval(SET_UNLESS_SCRIPT, 2, key, blocker, json, ttl));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const done = await this.attempt(() => this.client.del(...keys));
    if (done === undefined) this.rememberDeletes(keys);
  }

  /** For /health/ready: unlike the cache calls, this one throws when Redis does not answer. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Ends the connection politely; a Redis that is down or stuck gets a plain disconnect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Runs one command; any failure is logged (once per outage) and reads as undefined. */
  private async attempt<R>(command: () => Promise<R>): Promise<R | undefined> {
    if (this.closed || Date.now() < this.skipUntil) return undefined;
    // Not connected: ioredis would refuse the command anyway. Before the first connection this
    // is start-up, not an outage (an unreachable Redis reports itself through connection errors).
    if (this.client.status !== "ready") {
      if (this.wasReady) this.failed(new Error(`Redis connection is ${this.client.status}`));
      return undefined;
    }
    try {
      const result = await command();
      this.recovered();
      return result;
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    this.skipUntil = Date.now() + this.failFastMs;
    if (this.outageSince !== null) return;
    this.outageSince = Date.now();
    this.logger.warn("cache: Redis unavailable, serving from the database until it is back", {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private recovered(): void {
    this.skipUntil = 0;
    if (this.outageSince !== null) {
      this.logger.info("cache: Redis available again", { outageMs: Date.now() - this.outageSince });
      this.outageSince = null;
    }
    // Also after a blip too short to log: any delete lost in it must still happen.
    if (this.pendingDeletes.size > 0 && !this.replaying) void this.replayDeletes();
  }

  private rememberDeletes(keys: string[]): void {
    for (const key of keys) {
      // Past the bound the oldest go first; those keys are then stale for at most one TTL.
      this.pendingDeletes.delete(key); // re-inserted last, so the oldest stays first
      if (this.pendingDeletes.size >= MAX_PENDING_DELETES) {
        const oldest = this.pendingDeletes.keys().next();
        if (!oldest.done) this.pendingDeletes.delete(oldest.value);
      }
      this.pendingDeletes.set(key, ++this.generation);
    }
  }

  private async replayDeletes(): Promise<void> {
    this.replaying = true;
    try {
      await this.replayBatches();
    } finally {
      this.replaying = false;
    }
  }

  private async replayBatches(): Promise<void> {
    const entries = [...this.pendingDeletes];
    for (let start = 0; start < entries.length; start += 500) {
      const batch = entries.slice(start, start + 500);
      // Straight to the client: a failure here must not re-add keys that are still pending.
      try {
        await this.client.del(...batch.map(([key]) => key));
      } catch (error) {
        this.failed(error);
        return; // still pending; the next recovery replays them
      }
      for (const [key, generation] of batch) {
        if (this.pendingDeletes.get(key) === generation) this.pendingDeletes.delete(key);
      }
    }
  }
}
