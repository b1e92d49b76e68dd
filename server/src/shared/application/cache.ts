/**
 * A best-effort cache of JSON values. Implementations never throw: an outage reads as a
 * miss and a failed write is dropped, so callers always fall back to the source of truth.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /**
   * `set`, unless `blocker` exists, decided atomically with the write: one round trip for
   * cache-aside's "store unless a write is under way" (CacheAside's fence).
   */
  setUnless(key: string, value: unknown, blocker: string, ttlSeconds?: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
}

export const CACHE = Symbol.for("Cache");
