import { LRUCache } from "lru-cache";
import type { Cache } from "../shared/application/cache.js";
import type { Logger } from "../shared/application/logger.js";
import { encode } from "./encode-json.js";

export interface InMemoryCacheOptions {
  /** TTL of a `set` that names none. */
  defaultTtlSeconds: number;
  /** Entry count bound: least recently used entries are evicted first. */
  maxEntries?: number;
  /** Total size bound, counted in characters of the stored JSON (about bytes for ASCII). */
  maxChars?: number;
  /** A monotonic millisecond clock; tests pass a fake one to expire entries without waiting. */
  clock?: { now(): number };
  logger?: Logger;
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_CHARS = 32 * 1024 * 1024;

/**
 * The embedded cache: an LRU map of JSON strings inside this process.
 *
 * Values are stored as JSON, exactly as the Redis adapter stores them, so the two behave the
 * same: `get` returns a fresh copy (mutating it never corrupts the cache) and JSON is all that
 * survives a round trip — a Date comes back as an ISO string, `undefined` fields vanish. Callers
 * revive what they need. Each process has its own copy: writes in one process do not invalidate
 * another's, which is fine for the single-process embedded setup and why Redis exists for more.
 */
export class InMemoryCache implements Cache {
  private readonly entries: LRUCache<string, string>;
  private readonly defaultTtlMs: number;

  constructor(private readonly options: InMemoryCacheOptions) {
    this.defaultTtlMs = options.defaultTtlSeconds * 1000;
    this.entries = new LRUCache<string, string>({
      max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      maxSize: options.maxChars ?? DEFAULT_MAX_CHARS,
      sizeCalculation: (json) => json.length,
      // Expired entries are dropped when read, not by timers: no timer per entry, nothing
      // keeping the process alive, and the entry bound still caps what stale entries can hold.
      ttlAutopurge: false,
      ...(options.clock
        ? // lru-cache reuses one clock reading for `ttlResolution` ms of real time; with a
          // fake clock that would hide a jump, so read it every time.
          { perf: options.clock, ttlResolution: 0 }
        : {}),
    });
  }

  /** Number of live and not yet collected entries; for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const json = this.entries.get(key);
    if (json === undefined) return undefined;
    return JSON.parse(json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const ttlMs = ttlSeconds === undefined ? this.defaultTtlMs : Math.ceil(ttlSeconds * 1000);
    const json = encode(value);
    if (json === undefined || ttlMs <= 0) {
      // Nothing cacheable: make sure an older value does not outlive this write.
      this.entries.delete(key);
      if (json === undefined) this.options.logger?.warn("cache: value is not JSON-serialisable, not cached", { key });
      return;
    }
    // A value larger than maxChars is refused, and lru-cache then drops the key's older value too.
    this.entries.set(key, json, { ttl: ttlMs });
  }

  async setUnless(key: string, value: unknown, blocker: string, ttlSeconds?: number): Promise<void> {
    // One event-loop turn: nothing can put the blocker up between this check and the write.
    if (this.entries.get(blocker) !== undefined) return;
    await this.set(key, value, ttlSeconds);
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }
}
