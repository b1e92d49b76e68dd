import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { HEALTH_CHECK, type HealthCheck } from "../../server/src/shared/application/health-check.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { freePort, killProcess, startRedis } from "../support/redis-server.js";
import { registerUser } from "../support/users.js";

const redisUrl = inject("redisUrl");
const caches: { name: string; env: () => Record<string, string> }[] = [
  { name: "in-process", env: () => ({}) },
  ...(redisUrl ? [{ name: "Redis", env: () => ({ REDIS_URL: redisUrl }) }] : []),
];

/** Changes rows behind the repositories' back: only a cache can then still answer the old value. */
async function rawUpdate(app: TestApp, sql: string, ...values: unknown[]): Promise<void> {
  await app.container.get<Database>(DATABASE).prisma.$executeRawUnsafe(sql, ...values);
}

describe.each(caches)("cache-aside with the $name cache", ({ env }) => {
  let app: TestApp;
  let user: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    app = await createTestApp("pglite", { PUBLIC_URL: "http://127.0.0.1:9", ...env() });
    // Ready as /health/ready means it: a Redis cache still connecting drops what it is given,
    // and a warm request no longer waits on I/O long enough to give it time.
    const checks = app.container.getAll<HealthCheck>(HEALTH_CHECK);
    await vi.waitFor(() => Promise.all(checks.map((check) => check.check())), { timeout: 10_000 });
    user = await registerUser(app, "cached");
  });
  afterAll(() => app.close());

  it("serves videos.get from the cache and invalidates it on every write", async () => {
    const videos = app.caller(user.bearer).videos;
    const { id } = await videos.create({ title: "original" });
    await videos.get({ id });
    await rawUpdate(app, "UPDATE videos SET title = 'changed behind the cache' WHERE id = $1::uuid", id);
    expect((await videos.get({ id })).title).toBe("original");
    await videos.update({ id, description: "a write through the API" });
    // The write invalidated the entry: the next read goes to the database and sees both changes.
    expect(await videos.get({ id })).toMatchObject({ title: "changed behind the cache", description: "a write through the API" });
    await videos.delete({ id });
    await expect(videos.get({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("serves auth.me from the cache and invalidates it when the profile changes", async () => {
    const caller = app.caller(user.bearer);
    await caller.auth.me();
    await rawUpdate(app, "UPDATE users SET name = 'changed behind the cache' WHERE id = $1::uuid", user.user.id);
    expect((await caller.auth.me()).name).toBe("cached");
    await caller.users.updateProfile({ name: "renamed" });
    expect((await caller.auth.me()).name).toBe("renamed");
  });
});

describe.runIf(redisUrl)("reads while Redis is down", () => {
  let app: TestApp;
  let redis: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    app = await createTestApp("pglite", { PUBLIC_URL: "http://127.0.0.1:9", REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await app.close();
    await killProcess(redis);
  });

  it("keeps serving videos.get and auth.me from the database when Redis dies mid-test, and writes still invalidate after", async () => {
    const user = await registerUser(app, "outage");
    const caller = app.caller(user.bearer);
    const { id } = await caller.videos.create({ title: "before the outage" });
    await caller.videos.get({ id });
    await killProcess(redis);
    await expect(caller.videos.get({ id })).resolves.toMatchObject({ title: "before the outage" });
    await expect(caller.auth.me()).resolves.toMatchObject({ id: user.user.id });
    await caller.videos.update({ id, title: "during the outage" });
    expect((await caller.videos.get({ id })).title).toBe("during the outage");

    redis = await startRedis(port);
    // The entry cached before the outage must not resurface once Redis is back.
    await expect.poll(async () => (await caller.videos.get({ id })).title, { timeout: 10_000 }).toBe("during the outage");
  });

  it("starts and serves with Redis unreachable from the beginning", async () => {
    const dead = await createTestApp("pglite", { PUBLIC_URL: "http://127.0.0.1:9", REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const user = await registerUser(dead, "dead-redis");
      const { id } = await dead.caller(user.bearer).videos.create({ title: "no cache at all" });
      await expect(dead.caller(user.bearer).videos.get({ id })).resolves.toMatchObject({ title: "no cache at all" });
    } finally {
      await dead.close();
    }
  });
});
