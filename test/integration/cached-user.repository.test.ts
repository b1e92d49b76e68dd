import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { InMemoryCache } from "../../server/src/cache/in-memory.cache.js";
import { RedisCache } from "../../server/src/cache/redis.cache.js";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { CachedUserRepository } from "../../server/src/modules/identity/infra/cached-user.repository.js";
import { PrismaUserRepository } from "../../server/src/modules/identity/infra/prisma-user.repository.js";
import type { Cache } from "../../server/src/shared/application/cache.js";
import { backends, createTestApp, silentLogger, type TestApp } from "../support/test-app.js";
import { uniqueEmail } from "../support/users.js";

type CacheKind = "in-process" | "redis" | "dead redis";

const redisUrl = inject("redisUrl");
const cacheKinds: CacheKind[] = ["in-process", "dead redis", ...(redisUrl ? (["redis"] as const) : [])];
const prefix = `rbtest:${process.pid}:${randomUUID().slice(0, 8)}:`;

async function openCache(kind: CacheKind): Promise<{ cache: Cache; close(): Promise<void> }> {
  if (kind === "in-process") return { cache: new InMemoryCache({ defaultTtlSeconds: 60 }), close: async () => {} };
  const url = kind === "redis" ? (redisUrl ?? "") : "redis://127.0.0.1:1";
  const cache = new RedisCache({ url, defaultTtlSeconds: 60, keyPrefix: prefix }, silentLogger);
  if (kind === "redis") await vi.waitFor(() => cache.ping(), { timeout: 10_000 }); // writes before connecting are dropped
  return { cache, close: () => cache.close() };
}

/** Node 20 has no Promise.withResolvers. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** The next findById of `inner` reads the row, then waits for `release` before returning it. */
function holdNextRead(inner: PrismaUserRepository) {
  const read = deferred();
  const release = deferred();
  const real = inner.findById.bind(inner);
  vi.spyOn(inner, "findById").mockImplementationOnce(async (id) => {
    const user = await real(id);
    read.resolve();
    await release.promise;
    return user;
  });
  return { read: read.promise, release: () => release.resolve() };
}

describe.each(backends().flatMap((backend) => cacheKinds.map((kind) => [backend, kind] as const)))(
  "CachedUserRepository on %s with a %s cache",
  (backend, kind) => {
    let app: TestApp;
    let db: Database;
    let cache: Cache;
    let closeCache: () => Promise<void>;
    let inner: PrismaUserRepository;
    let users: CachedUserRepository;
    const caching = kind !== "dead redis";

    beforeAll(async () => {
      app = await createTestApp(backend);
      db = app.container.get<Database>(DATABASE);
      ({ cache, close: closeCache } = await openCache(kind));
    });
    afterAll(async () => {
      await closeCache();
      await app.close();
    });

    /** A fresh decorator per test, so spies and call counts start from zero. */
    async function newUser(name = "Ada"): Promise<User> {
      inner = new PrismaUserRepository(db);
      users = new CachedUserRepository(inner, cache, db);
      const user = User.create({ email: Email.parse(uniqueEmail()), name, passwordHash: "hash", now: new Date() });
      await users.create(user);
      return user;
    }

    const renamed = async (id: string, name: string) => {
      const user = await inner.findById(id);
      if (!user) throw new Error("user vanished");
      user.rename(name, new Date());
      return user;
    };

    it("serves the second read from the cache, as an equal entity with real dates", async () => {
      const user = await newUser();
      const reads = vi.spyOn(inner, "findById");
      const first = await users.findById(user.id);
      const second = await users.findById(user.id);
      expect(reads).toHaveBeenCalledTimes(caching ? 1 : 2);
      expect(second?.toState()).toEqual(user.toState());
      expect(second?.toState().createdAt).toBeInstanceOf(Date);
      expect(second).not.toBe(first);
      expect(await users.findById(randomUUID())).toBeNull();
    });

    it("reads the new state after save, and keeps caching once the write is long past", async () => {
      const user = await newUser("Before");
      await users.findById(user.id);
      await users.save(await renamed(user.id, "After"));
      expect((await users.findById(user.id))?.name).toBe("After");
      expect((await users.findById(user.id))?.name).toBe("After");

      const unfenced = new CachedUserRepository(inner, cache, db, { writeFenceSeconds: 0.001 });
      await unfenced.save(await renamed(user.id, "Later"));
      // The fence expires after 1 ms in process; Redis rounds an expiry up to whole seconds.
      await new Promise((resolve) => setTimeout(resolve, kind === "redis" ? 1_100 : 10));
      const reads = vi.spyOn(inner, "findById");
      await unfenced.findById(user.id);
      expect((await unfenced.findById(user.id))?.name).toBe("Later");
      expect(reads).toHaveBeenCalledTimes(caching ? 1 : 2);
    });

    it("does not keep a row read just before a write and stored just after it", async () => {
      const user = await newUser("Old");
      const slowReader = holdNextRead(inner);
      const reading = users.findById(user.id);
      await slowReader.read; // it holds the old row now
      await users.save(await renamed(user.id, "New"));
      slowReader.release();
      expect((await reading)?.name).toBe("Old"); // right for when it read
      expect((await users.findById(user.id))?.name).toBe("New");
    });

    it("does not keep what another request reads while a unit of work with a write is open", async () => {
      const user = await newUser("Committed");
      const outside = deferred();
      // Started out here, so it is not part of the transaction below: another request.
      const otherRequest = (async () => {
        await outside.promise;
        return users.findById(user.id);
      })();
      await db.transaction(async () => {
        await users.save(await renamed(user.id, "Uncommitted"));
        expect((await users.findById(user.id))?.name).toBe("Uncommitted"); // sees its own write
        if (backend === "postgres") {
          // PGlite has one connection, held by this transaction: the other read would wait for it.
          outside.resolve();
          expect((await otherRequest)?.name).toBe("Committed");
        }
      });
      if (backend !== "postgres") outside.resolve();
      await otherRequest;
      expect((await users.findById(user.id))?.name).toBe("Uncommitted");
    });

    it("caches nothing read inside a unit of work, and nothing of one that rolls back", async () => {
      const user = await newUser("Kept");
      await expect(
        db.transaction(async () => {
          expect((await users.findById(user.id))?.name).toBe("Kept");
          expect(await cache.get(`user:${user.id}`)).toBeUndefined();
          await users.save(await renamed(user.id, "Rolled back"));
          expect((await users.findById(user.id))?.name).toBe("Rolled back");
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");
      expect(await cache.get(`user:${user.id}`)).toBeUndefined();
      expect((await users.findById(user.id))?.name).toBe("Kept");
    });

    it("treats an entry it cannot parse as a miss", async () => {
      const user = await newUser();
      await cache.set(`user:${user.id}`, { id: user.id, name: "from an older release" });
      expect((await users.findById(user.id))?.toState()).toEqual(user.toState());
      await cache.set(`user:${user.id}`, { ...user.toState(), id: randomUUID() });
      expect((await users.findById(user.id))?.id).toBe(user.id);
    });

    it("passes findByEmail and list straight through", async () => {
      const user = await newUser();
      expect((await users.findByEmail(user.email))?.id).toBe(user.id);
      const page = await users.list({ email: user.email }, { limit: 5 });
      expect(page.items.map((item) => item.id)).toEqual([user.id]);
    });
  },
);
