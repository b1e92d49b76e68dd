import { describe, expect, it } from "vitest";
import { NearCache, type NearCacheOptions } from "../../server/src/cache/near-cache.js";

interface Entry {
  owner: string;
  n: number;
}

function fixture(options: Partial<NearCacheOptions> = {}) {
  const transactions = { inTransaction: false };
  const cache = new NearCache<Entry>({ maxEntries: 100, ttlMs: 60_000, transactions, ...options });
  cache.trust();
  let loads = 0;
  /** A load that returns a fresh value each time, so a test can tell a hit from a reload. */
  const load =
    (owner = "ada") =>
    async () => ({ owner, n: ++loads });
  return { cache, transactions, load, loads: () => loads };
}

/** A load that waits until released, to run other operations while it is in flight. */
function heldLoad(value: Entry) {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    load: async () => {
      await released;
      return value;
    },
    release,
  };
}

describe("NearCache", () => {
  it("serves the stored value until it is deleted, then loads again", async () => {
    const { cache, load } = fixture();
    expect(await cache.read("k", load())).toEqual({ owner: "ada", n: 1 });
    expect(await cache.read("k", load())).toEqual({ owner: "ada", n: 1 });
    cache.delete("k");
    expect(await cache.read("k", load())).toEqual({ owner: "ada", n: 2 });
  });

  it("keeps at most maxEntries, evicting the least recently used", async () => {
    const { cache, load } = fixture({ maxEntries: 2 });
    await cache.read("a", load());
    await cache.read("b", load());
    await cache.read("a", load()); // a is now the most recently used
    await cache.read("c", load());
    expect(cache.size).toBe(2);
    expect((await cache.read("a", load()))?.n).toBe(1);
    expect((await cache.read("b", load()))?.n).toBe(4); // evicted, loaded again
  });

  it("expires an entry after ttlMs even if no invalidation came", async () => {
    let now = 5_000; // lru-cache reads a start time of 0 as "no TTL"
    const { cache, load } = fixture({ ttlMs: 1_000, clock: { now: () => now } });
    await cache.read("k", load());
    now = 5_999;
    expect((await cache.read("k", load()))?.n).toBe(1);
    now = 6_001;
    expect((await cache.read("k", load()))?.n).toBe(2);
  });

  it("stores nothing that load did not find, nor what keep refuses", async () => {
    const { cache } = fixture();
    let loads = 0;
    const missing = async () => void loads++;
    await cache.read("gone", missing);
    await cache.read("gone", missing);
    expect(loads).toBe(2);
    const revoked = { owner: "ada", n: -1 };
    await cache.read(
      "revoked",
      async () => revoked,
      (entry) => entry.n > 0,
    );
    expect(cache.size).toBe(0);
  });

  it("does not store a load that an invalidation overtook, whichever key or owner it named", async () => {
    const invalidations: Array<(cache: NearCache<Entry>) => void> = [
      (cache) => cache.delete("k"),
      (cache) => cache.delete("some other key"),
      (cache) => cache.deleteWhere((entry) => entry.owner === "someone else"),
      (cache) => cache.clear(),
    ];
    for (const invalidate of invalidations) {
      const { cache, load } = fixture();
      const slow = heldLoad({ owner: "ada", n: 0 });
      const reading = cache.read("k", slow.load);
      invalidate(cache);
      slow.release();
      expect(await reading).toEqual({ owner: "ada", n: 0 }); // right for when it read
      expect((await cache.read("k", load()))?.n).toBe(1); // it was not kept: this read loads
      expect((await cache.read("k", load()))?.n).toBe(1); // and this load was kept
    }
  });

  it("deletes every entry deleteWhere matches, and only those", async () => {
    const { cache, load } = fixture();
    await cache.read("s1", load("ada"));
    await cache.read("s2", load("ada"));
    await cache.read("s3", load("bob"));
    cache.deleteWhere((entry) => entry.owner === "ada");
    expect(cache.size).toBe(1);
    expect((await cache.read("s3", load("bob")))?.n).toBe(3);
  });

  it("serves and stores nothing until trusted, forgets everything when distrusted, and keeps no load begun meanwhile", async () => {
    const transactions = { inTransaction: false };
    const cache = new NearCache<Entry>({ maxEntries: 10, ttlMs: 60_000, transactions });
    let loads = 0;
    const load = async () => ({ owner: "ada", n: ++loads });
    await cache.read("k", load);
    expect(cache.size).toBe(0);
    cache.trust();
    await cache.read("k", load);
    expect(cache.isTrusted).toBe(true);
    expect(cache.size).toBe(1);

    cache.distrust();
    expect(cache.size).toBe(0);
    await cache.read("k", load);
    await cache.read("k", load);
    expect(loads).toBe(4);

    // Begun while distrusted (an invalidation may have been lost then), finished once trusted again.
    const slow = heldLoad({ owner: "ada", n: 0 });
    const reading = cache.read("k", slow.load);
    cache.trust();
    slow.release();
    await reading;
    expect(cache.size).toBe(0);
  });

  it("neither serves nor stores inside a unit of work", async () => {
    const { cache, transactions, load, loads } = fixture();
    await cache.read("k", load());
    transactions.inTransaction = true;
    expect((await cache.read("k", load()))?.n).toBe(2);
    expect((await cache.read("other", load()))?.n).toBe(3);
    transactions.inTransaction = false;
    expect((await cache.read("k", load()))?.n).toBe(1);
    expect((await cache.read("other", load()))?.n).toBe(4);
    expect(loads()).toBe(4);
  });
});
