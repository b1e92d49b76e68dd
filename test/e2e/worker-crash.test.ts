import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient, type RouterOutputs } from "../../client/src/index.js";
import { APP_CONFIG, type AppConfig } from "../../server/src/config/config.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { uploadOverHttp } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { processesMatching, startWorker, type WorkerProcess } from "../support/worker-process.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
const E2E_TIMEOUT_MS = 180_000;
type Job = RouterOutputs["jobs"]["get"];

/** Polls jobs.get until `done` holds (the row is the truth; the stream is tested elsewhere). */
async function waitForJob(client: ReelbaseClient, id: string, done: (job: Job) => boolean, timeoutMs = 90_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.jobs.get.query({ id });
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} never got there: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const midRun = (job: Job) => job.status !== "QUEUED" && (job.status !== "RUNNING" || job.progress > 0);

/** A signed-up user (30 credits) with a long source uploaded: long enough to be caught mid-transcode. */
async function userWithLongVideo(api: HttpTestApi, source: string): Promise<{ client: ReelbaseClient; videoId: string }> {
  const store = createTokenStore();
  const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
  store.set(await client.auth.register.mutate({ email: uniqueEmail("crash"), password: PASSWORD }));
  return { client, videoId: await uploadOverHttp(client, source, "Long clip") };
}

/** Cancels a job mid-transcode and checks its ffmpeg is gone within two seconds, and the credits are back. */
async function cancelMidRun(api: HttpTestApi, source: string): Promise<void> {
  const { client, videoId } = await userWithLongVideo(api, source);
  const job = await client.videos.process.mutate({ id: videoId, quality: "P720" });
  const running = await waitForJob(client, job.id, midRun);
  expect(running.status).toBe("RUNNING");
  // The work dir, named after the job, is on ffmpeg's command line: it finds this job's ffmpeg only.
  const pattern = `reelbase-job-${job.id}`;
  expect((await processesMatching(pattern)).length).toBeGreaterThan(0);

  const started = performance.now();
  expect(await client.jobs.cancel.mutate({ id: job.id })).toMatchObject({ status: "CANCELLED" });
  let left = await processesMatching(pattern);
  while (left.length > 0 && performance.now() - started < 2_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await processesMatching(pattern);
  }
  expect(left).toEqual([]);
  expect((await client.jobs.get.query({ id: job.id })).status).toBe("CANCELLED");
  const ledger = (await client.credits.ledger.query({})).items.filter((entry) => entry.jobId === job.id);
  expect(ledger.map((entry) => entry.kind).sort()).toEqual(["CHARGE", "REFUND"]);
  expect((await client.credits.balance.query()).balance).toBe(30);
}

describe("cancelling a running job on the embedded queue", () => {
  let sandbox: string;
  let api: HttpTestApi;
  let source: string;

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-cancel-"));
    api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: path.join(sandbox, "objects") });
    source = await makeTestVideo(sandbox, { seconds: 30, width: 1280, height: 720 });
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await api?.close();
    await rm(sandbox, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  it("stops ffmpeg at once, leaves no process behind, and refunds", () => cancelMidRun(api, source), E2E_TIMEOUT_MS);
});

// Real BullMQ, real Redis, real PostgreSQL; REQUIRE_SERVICES/CI make their absence fail the run in global setup.
describe.runIf(postgresUrl && redisUrl)("BullMQ worker processes", () => {
  let sandbox: string;
  let api: HttpTestApi;
  let source: string;
  let workerEnv: Record<string, string>;
  let queuePrefix: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-crash-"));
    queuePrefix = `rbcrash-${process.pid}-${randomUUID().slice(0, 8)}`;
    // A dead worker's lock expires after 5 s and stalls are checked every 2 s (production: 30 s / 15 s).
    const env = {
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      REDIS_URL: redisUrl ?? "",
      QUEUE_PREFIX: queuePrefix,
      QUEUE_LOCK_MS: "5000",
      QUEUE_STALLED_INTERVAL_MS: "2000",
    };
    api = await startHttpApi("postgres", env);
    const config = api.container.get<AppConfig>(APP_CONFIG);
    if (config.database.kind !== "postgres") throw new Error("workers need the PostgreSQL scratch database");
    workerEnv = { ...env, NODE_ENV: "test", DATABASE_URL: config.database.url, JWT_SECRET: config.auth.jwtSecret };
    source = await makeTestVideo(sandbox, { seconds: 30, width: 1280, height: 720 });
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.close();
    const redis = new Redis(redisUrl ?? "");
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(sandbox, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const spawnWorker = async () => {
    const worker = await startWorker(workerEnv);
    workers.push(worker);
    return worker;
  };

  it(
    "finishes a job whose worker was SIGKILLed mid-transcode on another worker, charging once",
    async () => {
      const workerA = await spawnWorker();
      const { client, videoId } = await userWithLongVideo(api, source);
      const job = await client.videos.process.mutate({ id: videoId, quality: "P720" });
      expect(job.creditsCharged).toBe(2); // ceil(0.5 min) × 2 for P720
      const caught = await waitForJob(client, job.id, midRun);
      expect(caught).toMatchObject({ status: "RUNNING", attempts: 1 });

      // A crash, not a shutdown: no handler runs, the lock is left to expire, ffmpeg dies with the group.
      await workerA.killGroup();
      expect(await processesMatching(`reelbase-job-${job.id}`)).toEqual([]);
      expect((await client.jobs.get.query({ id: job.id })).status).toBe("RUNNING");
      // Its scratch folder (named after the job and its process) outlived it: no `finally` ran.
      const leftBehind = `reelbase-job-${job.id}-${workerA.pid}-`;
      const scratchOfA = async () => (await readdir(tmpdir())).filter((name) => name.startsWith(leftBehind));
      expect(await scratchOfA()).toHaveLength(1);

      await spawnWorker();
      // The next worker to start removes it.
      expect(await scratchOfA()).toEqual([]);
      const done = await waitForJob(
        client,
        job.id,
        (current) => current.status !== "RUNNING" && current.status !== "QUEUED",
        150_000,
      );
      expect(done).toMatchObject({ status: "SUCCEEDED", progress: 100, attempts: 2 });
      expect((await client.videos.get.query({ id: videoId })).status).toBe("READY");
      const ledger = (await client.credits.ledger.query({})).items;
      expect(ledger.filter((entry) => entry.kind === "CHARGE")).toHaveLength(1);
      expect(ledger.filter((entry) => entry.kind === "REFUND")).toHaveLength(0);
      expect((await client.credits.balance.query()).balance).toBe(30 - 2);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    "cancels a job running in a worker process: its ffmpeg is gone at once, and it is refunded",
    async () => {
      if (workers.every((worker) => worker.child.exitCode !== null || worker.child.signalCode !== null)) await spawnWorker();
      await cancelMidRun(api, source);
    },
    E2E_TIMEOUT_MS,
  );
});
