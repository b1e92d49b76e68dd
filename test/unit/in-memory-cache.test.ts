import { describe, expect, it } from "vitest";
import { InMemoryCache, type InMemoryCacheOptions } from "../../server/src/cache/in-memory.cache.js";
import type { Logger } from "../../server/src/shared/application/logger.js";

/** A hand-turned clock: lru-cache reads it for every TTL check, so expiry needs no waiting. */
class FakeClock {
  // lru-cache treats a start time of 0 as "no TTL", as performance.now() never returns 0 in practice.
  private ms = 1_000_000;
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const ignore = () => {};
  return { lines, logger: { debug: ignore, info: ignore, error: ignore, warn: (message) => lines.push(message) } };
}

function cache(options: Partial<InMemoryCacheOptions> = {}) {
  const clock = new FakeClock();
  return { clock, cache: new InMemoryCache({ defaultTtlSeconds: 60, clock, ...options }) };
}

describe("InMemoryCache", () => {
  it("round-trips JSON values and misses on unknown keys", async () => {
    const { cache: c } = cache();
    await c.set("a", { n: 1, list: [1, "two", null], nested: { ok: true } });
    expect(await c.get("a")).toEqual({ n: 1, list: [1, "two", null], nested: { ok: true } });
    expect(await c.get("missing")).toBeUndefined();
    await c.set("falsy", 0);
    expect(await c.get("falsy")).toBe(0);
  });

  it("stores with setUnless only while the blocker key is absent", async () => {
    const { cache: c } = cache();
    await c.setUnless("entry", 1, "fence");
    expect(await c.get("entry")).toBe(1);
    await c.set("fence", true);
    await c.setUnless("entry", 2, "fence");
    expect(await c.get("entry")).toBe(1);
  });

  it("stores JSON, as Redis does: dates come back as ISO strings, undefined fields vanish", async () => {
    const { cache: c } = cache();
    await c.set("a", { at: new Date("2026-01-02T03:04:05.678Z"), gone: undefined });
    expect(await c.get("a")).toEqual({ at: "2026-01-02T03:04:05.678Z" });
  });

  it("hands out copies: mutating a stored or returned value never changes the cache", async () => {
    const { cache: c } = cache();
    const original = { name: "before", tags: ["x"] };
    await c.set("a", original);
    original.name = "mutated after set";
    const first = await c.get<{ name: string; tags: string[] }>("a");
    first?.tags.push("mutated after get");
    const second = await c.get<{ name: string; tags: string[] }>("a");
    expect(second).toEqual({ name: "before", tags: ["x"] });
    expect(second).not.toBe(first);
  });

  it("expires an entry after the default TTL, and not before", async () => {
    const { cache: c, clock } = cache({ defaultTtlSeconds: 10 });
    await c.set("a", 1);
    clock.advance(10_000);
    expect(await c.get("a")).toBe(1);
    clock.advance(1);
    expect(await c.get("a")).toBeUndefined();
  });

  it("honours a per-entry TTL over the default", async () => {
    const { cache: c, clock } = cache({ defaultTtlSeconds: 60 });
    await c.set("short", "s", 1);
    await c.set("long", "l");
    clock.advance(1_001);
    expect(await c.get("short")).toBeUndefined();
    expect(await c.get("long")).toBe("l");
    clock.advance(59_000);
    expect(await c.get("long")).toBeUndefined();
  });

  it("restarts the TTL when a key is set again", async () => {
    const { cache: c, clock } = cache({ defaultTtlSeconds: 10 });
    await c.set("a", 1);
    clock.advance(8_000);
    await c.set("a", 2);
    clock.advance(8_000);
    expect(await c.get("a")).toBe(2);
  });

  it("treats a TTL of zero as 'do not cache' and drops the older value", async () => {
    const { cache: c } = cache();
    await c.set("a", "old");
    await c.set("a", "new", 0);
    expect(await c.get("a")).toBeUndefined();
  });

  it("keeps at most maxEntries, evicting the least recently used", async () => {
    const { cache: c } = cache({ maxEntries: 3 });
    await c.set("a", 1);
    await c.set("b", 2);
    await c.set("c", 3);
    await c.get("a"); // a is now more recent than b
    await c.set("d", 4);
    expect(c.size).toBe(3);
    expect(await c.get("b")).toBeUndefined();
    expect([await c.get("a"), await c.get("c"), await c.get("d")]).toEqual([1, 3, 4]);
  });

  it("bounds the total size too, and refuses one value larger than the whole cache", async () => {
    const { cache: c } = cache({ maxChars: 100 });
    for (let i = 0; i < 10; i++) await c.set(`k${i}`, "x".repeat(20)); // 22 chars of JSON each
    expect(c.size).toBe(4);
    expect(await c.get("k9")).toBe("x".repeat(20));
    await c.set("k9", "y".repeat(200));
    expect(await c.get("k9")).toBeUndefined(); // neither the huge value nor the old one
  });

  it("deletes many keys at once, and ignores unknown keys and an empty call", async () => {
    const { cache: c } = cache();
    await Promise.all(["a", "b", "c"].map((key) => c.set(key, key)));
    await c.delete("a", "b", "never-set");
    await c.delete();
    expect([await c.get("a"), await c.get("b"), await c.get("c")]).toEqual([undefined, undefined, "c"]);
  });

  it("never throws on values JSON cannot hold: they are not cached, and a warning says so", async () => {
    const { lines, logger } = warnings();
    const { cache: c } = cache({ logger });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await c.set("a", "old");
    for (const value of [cyclic, 10n, undefined, () => 1]) {
      await expect(c.set("a", value)).resolves.toBeUndefined();
    }
    expect(await c.get("a")).toBeUndefined();
    expect(lines).toHaveLength(4);
  });

  it("works on the real clock too", async () => {
    const c = new InMemoryCache({ defaultTtlSeconds: 1 });
    await c.set("a", 1, 0.05);
    expect(await c.get("a")).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await c.get("a")).toBeUndefined();
  });
});
