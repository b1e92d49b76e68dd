import type { Cache } from "../shared/application/cache.js";
import { noMetrics, type Metrics } from "../shared/application/metrics.js";

/** What cache-aside asks of the database; `Database` has it. */
export interface TransactionProbe {
  readonly inTransaction: boolean;
}

export interface CacheAsideOptions<T> {
  /** Key prefix of one entity type, e.g. "user". */
  prefix: string;
  /** Turns a cached JSON value back into an entity, or undefined when it no longer fits (a miss). */
  revive: (value: unknown, id: string) => T | undefined;
  /** The JSON-able value to cache. */
  snapshot: (entity: T) => unknown;
  /** How long after a write nobody caches that entity; must outlive the longest unit of work. */
  writeFenceSeconds?: number;
  /** Counts each read outside a unit of work as a hit or a miss of the cache named by `prefix`. */
  metrics?: Metrics;
}

/**
 * Cache-aside by id with invalidation that survives uncommitted writes. Used by the repository
 * decorators for the hot reads (users on every authenticated request, videos.get).
 *
 * Why a fence and not "delete before and after the write": a write usually runs inside a unit
 * of work, so "after the write" is still before the commit, which this class cannot see. A
 * reader in another request can read the old committed row after our delete and cache it, and
 * nothing deletes it again. So a write first puts up a short-lived fence, then deletes the
 * entry; a reader stores its entry and then looks for a fence, and if there is one, takes its
 * entry back out. Either the reader's fence check comes after our fence went up (it removes its
 * own entry) or its store came before our delete (we remove it). The fence outlives any
 * transaction. Cost: for `writeFenceSeconds` after a write, that entity's reads go to the database.
 */
export class CacheAside<T> {
  private readonly writeFenceSeconds: number;
  private readonly metrics: Metrics;

  constructor(
    private readonly cache: Cache,
    private readonly transactions: TransactionProbe,
    private readonly options: CacheAsideOptions<T>,
  ) {
    this.writeFenceSeconds = options.writeFenceSeconds ?? 30;
    this.metrics = options.metrics ?? noMetrics;
  }

  async read(id: string, load: () => Promise<T | null>): Promise<T | null> {
    // A unit of work reads the database, never the cache: it must see its own uncommitted
    // writes, and what it reads must not be shared before (or unless) it commits.
    if (this.transactions.inTransaction) return load();
    const cached = this.options.revive(await this.cache.get<unknown>(this.key(id)), id);
    if (cached !== undefined) {
      this.metrics.cacheHit(this.options.prefix);
      return cached;
    }
    this.metrics.cacheMiss(this.options.prefix);
    const loaded = await load();
    if (loaded !== null) await this.populate(id, loaded);
    return loaded;
  }

  /** Before a write to an existing entity. */
  async invalidate(id: string): Promise<void> {
    await this.cache.set(this.fenceKey(id), 1, this.writeFenceSeconds);
    await this.cache.delete(this.key(id));
  }

  /**
   * After creating an entity: a new id has no entry (ids are fresh, and "not found" is never
   * cached), so no fence, only a delete for an odd entry a restored backup may have left.
   */
  async forget(id: string): Promise<void> {
    await this.cache.delete(this.key(id));
  }

  /** Stored unless a fence is up, atomically: a fence put up after this is followed by the writer's delete. */
  private async populate(id: string, entity: T): Promise<void> {
    await this.cache.setUnless(this.key(id), this.options.snapshot(entity), this.fenceKey(id));
  }

  private key(id: string): string {
    return `${this.options.prefix}:${id}`;
  }

  private fenceKey(id: string): string {
    return `${this.options.prefix}:${id}:writing`;
  }
}
