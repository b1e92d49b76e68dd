import type { ChildProcess } from "node:child_process";
import { freePort, killProcess as kill, startRedis } from "../support/redis-server.js";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createCache, maskRedisUrl } from "../../server/src/cache/create-cache.js";
import { RedisCache, type RedisCacheOptions } from "../../server/src/cache/redis.cache.js";
import { loadConfig } from "../../server/src/config/config.js";
import type { Logger } from "../../server/src/shared/application/logger.js";
import { silentLogger } from "../support/test-app.js";

const redisUrl = inject("redisUrl");
const prefix = `rbtest:${process.pid}:${randomUUID().slice(0, 8)}:`;
// Generous: a miss with Redis down takes milliseconds, or one command timeout (250 ms) when it hangs.
const FAST_MS = 2_000;

function recordingLogger(): { logger: Logger; lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}
const count = (lines: { level: string }[], level: string) => lines.filter((line) => line.level === level).length;

function openCache(url: string, logger: Logger = silentLogger, options: Partial<RedisCacheOptions> = {}): RedisCache {
  return new RedisCache({ url, defaultTtlSeconds: 60, keyPrefix: prefix, maxReconnectDelayMs: 100, ...options }, logger);
}

/** Resolves once the client is connected: writes before that are dropped by design. */
const connected = (cache: RedisCache) => vi.waitFor(() => cache.ping(), { timeout: 10_000, interval: 50 });

/** Every call of the port, each timed: none may throw, none may take long. */
async function exerciseWhileDown(cache: RedisCache, key: string, rounds = 5): Promise<number> {
  let slowest = 0;
  for (let round = 0; round < rounds; round++) {
    for (const call of [() => cache.get(key), () => cache.set(key, { round }), () => cache.delete(key, "other")]) {
      const started = performance.now();
      expect(await call()).toBeUndefined();
      slowest = Math.max(slowest, performance.now() - started);
    }
  }
  expect(slowest).toBeLessThan(FAST_MS);
  return slowest;
}

describe("RedisCache pointed at a dead port", () => {
  it("answers every call at once as a miss, never throws, and warns once, not per call", async () => {
    const { logger, lines } = recordingLogger();
    const cache = openCache("redis://127.0.0.1:1", logger);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // several failed reconnects
      await exerciseWhileDown(cache, "k", 20);
      await expect(cache.ping()).rejects.toThrow();
      expect(count(lines, "warn")).toBe(1);
    } finally {
      await cache.close();
    }
  });
});

describe.runIf(redisUrl)("RedisCache against the real Redis", () => {
  const url = redisUrl ?? "";
  let cache: RedisCache;
  let raw: Redis;

  beforeAll(async () => {
    cache = openCache(url);
    raw = new Redis(url);
    await connected(cache);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await Promise.all([cache.close(), raw.quit()]);
  });

  it("sets, gets and deletes JSON values under its key prefix, with the default TTL", async () => {
    await cache.set("a", { n: 1, at: new Date("2026-01-02T03:04:05.678Z") });
    expect(await cache.get("a")).toEqual({ n: 1, at: "2026-01-02T03:04:05.678Z" });
    expect(JSON.parse((await raw.get(`${prefix}a`)) ?? "null")).toEqual({ n: 1, at: "2026-01-02T03:04:05.678Z" });
    const ttl = await raw.ttl(`${prefix}a`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    await cache.delete("a");
    expect(await cache.get("a")).toBeUndefined();
    expect(await raw.exists(`${prefix}a`)).toBe(0);
  });

  it("deletes many keys in one call", async () => {
    await Promise.all(["x", "y", "z"].map((key) => cache.set(key, key)));
    await cache.delete("x", "y", "never-set");
    await cache.delete();
    expect([await cache.get("x"), await cache.get("y"), await cache.get("z")]).toEqual([undefined, undefined, "z"]);
  });

  it("stores with setUnless only while the blocker key is absent, with a TTL, under its prefix", async () => {
    await cache.setUnless("guarded", { v: 1 }, "guarded:fence", 30);
    expect(await cache.get("guarded")).toEqual({ v: 1 });
    expect(await raw.ttl(`${prefix}guarded`)).toBeGreaterThan(0);
    await cache.set("guarded:fence", 1);
    await cache.setUnless("guarded", { v: 2 }, "guarded:fence");
    expect(await cache.get("guarded")).toEqual({ v: 1 });
    await cache.delete("guarded", "guarded:fence");
    await cache.setUnless("guarded", { v: 3 }, "guarded:fence");
    expect(await raw.get(`${prefix}guarded`)).toBe(JSON.stringify({ v: 3 }));
  });

  it("lets a per-entry TTL expire in Redis", async () => {
    await cache.set("short", "s", 1);
    expect(await raw.pttl(`${prefix}short`)).toBeLessThanOrEqual(1_000);
    await vi.waitFor(async () => expect(await cache.get("short")).toBeUndefined(), { timeout: 3_000, interval: 100 });
  });

  it("reads a value it did not write (not JSON) as a miss", async () => {
    await raw.set(`${prefix}foreign`, "not json {");
    expect(await cache.get("foreign")).toBeUndefined();
  });

  it("is chosen by createCache when REDIS_URL is set, with a health check and a password-free description", async () => {
    const resource = await createCache(loadConfig({ NODE_ENV: "test", REDIS_URL: url }), silentLogger);
    try {
      expect(resource.describe).toBe(`Redis (${maskRedisUrl(url)})`);
      expect(resource.healthCheck?.name).toBe("cache");
      await vi.waitFor(() => resource.healthCheck?.check(), { timeout: 5_000 });
    } finally {
      await resource.close();
    }
  });

  it("replays a delete lost in an outage once Redis is back, and reads that key as a miss meanwhile", async () => {
    const target = new URL(url);
    const proxy = await startProxy(Number(target.port || 6379), target.hostname);
    const { logger, lines } = recordingLogger();
    const viaProxy = openCache(`redis://127.0.0.1:${proxy.port}`, logger);
    try {
      await connected(viaProxy);
      await viaProxy.set("stale", "old");
      await proxy.stop();
      await vi.waitFor(() => expect(count(lines, "warn")).toBe(1), { timeout: 5_000 });
      await viaProxy.delete("stale");
      expect(await raw.get(`${prefix}stale`)).toBe('"old"'); // the delete really did not get through
      expect(await viaProxy.get("stale")).toBeUndefined();
      await proxy.start();
      await vi.waitFor(async () => expect(await raw.exists(`${prefix}stale`)).toBe(0), { timeout: 10_000, interval: 50 });
      expect(count(lines, "info")).toBe(1);
    } finally {
      await viaProxy.close();
      await proxy.stop();
    }
  });
});

describe("RedisCache when its Redis dies, hangs and comes back", () => {
  let port: number;
  let server: ChildProcess;

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
  });
  afterAll(() => kill(server));

  it("serves misses while Redis is down, and works again after a restart on the same port", async () => {
    const { logger, lines } = recordingLogger();
    const cache = openCache(`redis://127.0.0.1:${port}`, logger);
    try {
      await connected(cache);
      await cache.set("k", "v");
      expect(await cache.get("k")).toBe("v");

      await kill(server);
      await exerciseWhileDown(cache, "k");
      await expect(cache.ping()).rejects.toThrow();

      server = await startRedis(port);
      await connected(cache);
      await cache.set("k", "v2");
      expect(await cache.get("k")).toBe("v2");
      expect(count(lines, "warn")).toBe(1);
      expect(count(lines, "info")).toBe(1);
    } finally {
      await cache.close();
    }
  });

  it("gives up on a Redis that accepts connections but does not answer within the command timeout", async () => {
    const { logger, lines } = recordingLogger();
    const cache = openCache(`redis://127.0.0.1:${port}`, logger);
    try {
      await connected(cache);
      await cache.set("k", "v");
      server.kill("SIGSTOP");
      try {
        await exerciseWhileDown(cache, "k");
      } finally {
        server.kill("SIGCONT");
      }
      // Back once a command succeeds again; the delete issued during the hang is then replayed.
      await vi.waitFor(
        async () => {
          await cache.set("probe", 1);
          expect(await cache.get("probe")).toBe(1);
        },
        { timeout: 5_000, interval: 100 },
      );
      await vi.waitFor(async () => expect(await cache.get("k")).toBeUndefined(), { timeout: 5_000, interval: 100 });
      expect(count(lines, "warn")).toBe(1);
      expect(count(lines, "info")).toBe(1);
    } finally {
      await cache.close();
    }
  });
});

describe("createCache without REDIS_URL", () => {
  it("binds the in-process cache, with no health check", async () => {
    const resource = await createCache(loadConfig({ NODE_ENV: "test" }), silentLogger);
    expect(resource.describe).toBe("in-process");
    expect(resource.healthCheck).toBeNull();
    await resource.value.set("a", 1);
    expect(await resource.value.get("a")).toBe(1);
    await resource.close();
  });

  it("masks the password of a Redis URL", () => {
    expect(maskRedisUrl("redis://:s3cret@cache.internal:6380/2")).toBe("redis://:***@cache.internal:6380/2");
    expect(maskRedisUrl("rediss://app:s3cret@cache.internal")).toBe("rediss://app:***@cache.internal");
    expect(maskRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
});

/** A TCP proxy this test can cut and restore, to take Redis away from one client only. */
async function startProxy(targetPort: number, targetHost: string) {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const start = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    const closing = server;
    server = null;
    if (closing) await new Promise((resolve) => closing.close(resolve));
  };
  await start();
  return { port, start, stop };
}
