import { LRUCache } from "lru-cache";
import type { TransactionProbe } from "./cache-aside.js";

export interface NearCacheOptions {
  /** Entry count bound: least recently used entries are evicted first. */
  maxEntries: number;
  /** The safety net: how long an entry may live if the invalidation meant for it never arrives. */
  ttlMs: number;
  /** Reads inside a unit of work bypass the cache, as in cache-aside. */
  transactions: TransactionProbe;
  /** A monotonic millisecond clock; tests pass a fake one to expire entries without waiting. */
  clock?: { now(): number };
}

/**
 * A cache inside this process, in front of state that any process may change, for reads too hot
 * for even one Redis round trip (authentication). It is only as fresh as the invalidations that
 * reach it, so:
 * - it starts distrusted, and is distrusted whenever invalidations may be getting lost (the event
 *   bus is down): then it serves nothing, stores nothing and forgets what it had;
 * - a load that overlapped an invalidation (or a change of trust) is returned but not stored: it may
 *   have read the row just before the write that the invalidation announced. One generation counter
 *   for the whole cache, bumped by each of them, tells;
 * - callers store only what may be served without asking again (an active session, never a missing
 *   or revoked one), through `keep`.
 * Values are returned as stored: callers keep plain state here and build a fresh entity per read.
 */
export class NearCache<V extends object> {
  private readonly entries: LRUCache<string, V>;
  private readonly transactions: TransactionProbe;
  private generation = 0;
  private trusted = false;

  constructor(options: NearCacheOptions) {
    this.transactions = options.transactions;
    this.entries = new LRUCache<string, V>({
      max: options.maxEntries,
      ttl: options.ttlMs,
      // Expired entries are dropped when read, as in InMemoryCache: no timers, the bound caps the rest.
      ttlAutopurge: false,
      ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /**
   * The entry for `key`, or what `load` returns, stored when `keep` allows it and nothing was
   * invalidated while it loaded. `undefined` from `load` means "nothing to serve" and is never stored.
   */
  async read(key: string, load: () => Promise<V | undefined>, keep: (value: V) => boolean = () => true): Promise<V | undefined> {
    // A unit of work must see its own uncommitted writes, and nothing it reads may be shared before it commits.
    if (this.transactions.inTransaction) return load();
    if (this.trusted) {
      const hit = this.entries.get(key);
      if (hit !== undefined) return hit;
    }
    const generation = this.generation;
    const loaded = await load();
    if (loaded !== undefined && this.trusted && generation === this.generation && keep(loaded)) this.entries.set(key, loaded);
    return loaded;
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** For invalidations that name something other than the key (all sessions of a user); a scan, so keep them rare. */
  deleteWhere(matches: (value: V) => boolean): void {
    this.generation++;
    const doomed: string[] = [];
    this.entries.forEach((value, key) => {
      if (matches(value)) doomed.push(key);
    });
    for (const key of doomed) this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Invalidations may be getting lost: serve and store nothing, and forget what may now be stale. */
  distrust(): void {
    this.trusted = false;
    this.clear();
  }

  /**
   * Invalidations arrive again. Bumps the generation too: a load begun while distrusted may have
   * read a row whose invalidation was lost.
   */
  trust(): void {
    this.trusted = true;
    this.generation++;
  }
}
