import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient } from "../../client/src/index.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import { uploadOverHttp, watchProgress } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/services.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { startWorker, type WorkerProcess } from "../support/worker-process.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
const SUITE_TIMEOUT_MS = 120_000;
const LOGIN_POINTS = 3;

/**
 * Pids of the processes holding a scratch folder of this job: each run makes
 * `reelbase-job-<job id>-<pid>-…` in the temp dir and removes it when it ends.
 */
async function scratchOwners(jobId: string): Promise<number[]> {
  const prefix = `reelbase-job-${jobId}-`;
  return (await readdir(tmpdir()))
    .filter((name) => name.startsWith(prefix))
    .map((name) => Number(name.slice(prefix.length).split("-")[0]));
}

// Real processes on one PostgreSQL and one Redis; REQUIRE_SERVICES/CI make their absence fail the run in global setup.
describe.runIf(postgresUrl && redisUrl)("two API processes and two workers on one PostgreSQL and one Redis", () => {
  let sandbox: string;
  let database: ScratchDatabase;
  let queuePrefix: string;
  let env: Record<string, string>;
  let api1: ApiProcess;
  let api2: ApiProcess;
  const workers: WorkerProcess[] = [];
  let one: ReelbaseClient;
  let two: ReelbaseClient;
  let source: string;

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-scale-"));
    database = await createScratchDatabase(postgresUrl ?? "", "scale");
    queuePrefix = `rbscale-${process.pid}-${randomUUID().slice(0, 8)}`;
    env = {
      NODE_ENV: "test",
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl ?? "",
      QUEUE_PREFIX: queuePrefix,
      JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
      // One storage folder for all processes, as one bucket would be.
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      // A tiny login budget, the same on every API: one budget in Redis, whichever API is asked.
      RATE_LIMIT_LOGIN_POINTS: String(LOGIN_POINTS),
    };
    const making = makeTestVideo(sandbox, { seconds: 20, width: 640, height: 360 });
    // The first API applies the migrations; the others start on the migrated database.
    api1 = await startApiProcess(env);
    [api2] = await Promise.all([startApiProcess(env), ...[0, 1].map(async () => workers.push(await startWorker(env)))]);
    source = await making;
    // One user, one session: a token issued by API 1 is honoured by API 2 (one JWT secret, one database).
    const store = createTokenStore();
    one = createReelbaseClient({ url: api1.url, auth: { type: "bearer", store } });
    two = createReelbaseClient({ url: api2.url, auth: { type: "bearer", store } });
    store.set(await one.auth.register.mutate({ email: uniqueEmail("scale"), password: PASSWORD }));
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([api1?.kill(), api2?.kill(), ...workers.map((worker) => worker.killGroup())]);
    const redis = new Redis(redisUrl ?? "");
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database?.drop();
    await rm(sandbox, { recursive: true, force: true });
  }, SUITE_TIMEOUT_MS);

  it(
    "a job started through API 1 runs once, on one of the workers, and its progress reaches a subscriber on API 2",
    async () => {
      expect(api1.url).not.toBe(api2.url);
      const videoId = await uploadOverHttp(one, source, "Scale-out clip");
      const job = await one.videos.process.mutate({ id: videoId, quality: "P360" });
      const watch = watchProgress(two, job.id, { timeoutMs: 60_000 });
      const owners = new Set<number>();
      let ended = false;
      const looking = (async () => {
        while (!ended) {
          for (const pid of await scratchOwners(job.id)) owners.add(pid);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      const events = await watch.done.finally(() => (ended = true));
      await looking;

      const statuses = events.map((event) => event.data.status);
      expect(statuses.at(-1)).toBe("SUCCEEDED");
      expect(statuses).toContain("RUNNING");
      // Progress only moves forward: one run, not two interleaved.
      const progress = events.map((event) => event.data.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(events.some((event) => event.data.status === "RUNNING" && event.data.progress > 0)).toBe(true);
      // Event ids (the row's revision) strictly increase.
      const ids = events.map((event) => Number(event.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));

      // Exactly one worker ran it, once.
      expect([...owners]).toHaveLength(1);
      expect(workers.map((worker) => worker.pid)).toContain([...owners][0]);
      expect(await two.jobs.get.query({ id: job.id })).toMatchObject({ status: "SUCCEEDED", attempts: 1, progress: 100 });
      const connection = new Redis(redisUrl ?? "", { maxRetriesPerRequest: null });
      const queue = new Queue("jobs", { connection, prefix: queuePrefix });
      try {
        const entry = await queue.getJob(job.id);
        expect(entry?.attemptsStarted).toBe(1);
        expect(await entry?.getState()).toBe("completed");
      } finally {
        await queue.close();
        connection.disconnect();
      }
      const ledger = (await two.credits.ledger.query({})).items.filter((entry) => entry.jobId === job.id);
      expect(ledger.map((entry) => entry.kind)).toEqual(["CHARGE"]);
      expect((await two.videos.get.query({ id: videoId })).status).toBe("READY");
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    "a change made through API 1 is seen through API 2 at once, though API 2 had it cached",
    async () => {
      const video = await one.videos.create.mutate({ title: "Before" });
      // Read twice on API 2: the second read is served from its caches.
      for (let i = 0; i < 2; i++) expect((await two.videos.get.query({ id: video.id })).title).toBe("Before");
      await one.videos.update.mutate({ id: video.id, title: "After" });
      expect((await two.videos.get.query({ id: video.id })).title).toBe("After");
      expect((await two.videos.list.query({ limit: 50 })).items.find((item) => item.id === video.id)?.title).toBe("After");

      // The session too: signed out on API 1, its access token is refused by API 2 on the next call.
      const store = createTokenStore();
      const other = createReelbaseClient({ url: api1.url, auth: { type: "bearer", store } });
      const session = await other.auth.register.mutate({ email: uniqueEmail("scale-logout"), password: PASSWORD });
      store.set(session);
      const me = () =>
        fetch(`${api2.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${session.accessToken}` } }).then(
          (res) => res.status,
        );
      expect(await me()).toBe(200);
      expect(await me()).toBe(200);
      await other.auth.logout.mutate({ refreshToken: session.refreshToken });
      expect(await me()).toBe(401);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    "rate limits are shared: a login budget spent on API 1 is spent on API 2",
    async () => {
      const email = uniqueEmail("scale-limit");
      const store = createTokenStore();
      await createReelbaseClient({ url: api1.url, auth: { type: "bearer", store } }).auth.register.mutate({
        email,
        password: PASSWORD,
      });
      const login = (api: ApiProcess, password: string) =>
        fetch(`${api.url}/trpc/auth.login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password }),
        });
      for (let i = 0; i < LOGIN_POINTS; i++) expect((await login(api1, "a wrong password")).status).toBe(401);
      // The right password, on the other process: refused, the budget is the same one.
      const limited = await login(api2, PASSWORD);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ error: { data: { errorCode: "RATE_LIMITED" } } });
      expect((await login(api1, PASSWORD)).status).toBe(429);
    },
    SUITE_TIMEOUT_MS,
  );
});
