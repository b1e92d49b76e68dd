/**
 * Queue pickup latency and the videos.process race, against the real API (a child process) and,
 * for BullMQ, a real `npm run worker` process, both on a scratch PostgreSQL database.
 *
 *   npx tsx bench/queue-pickup.ts [--jobs N]
 *
 * Pickup: one tiny job at a time on an idle queue. RUNNING is the row's startedAt, set by the process
 * that claims the job. BullMQ records when the API added the job (`timestamp`) and when a worker took
 * it (`processedOn`), so enqueue → RUNNING is exact there. The embedded queue's enqueue is only a
 * wake-up after the commit, recorded nowhere: it is bracketed between the row's createdAt (an upper
 * bound: it also counts the charge transaction) and the moment the client had the response (a lower
 * bound: the job may start before the response is written; negative then).
 * Race: 200 concurrent videos.process calls by one user whose 30 credits pay for exactly 5 jobs;
 * the process exits non-zero when other than 5 jobs were created or the balance is not 0.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { makeTestVideo } from "../test/support/media-fixtures.js";
import { startWorker, type WorkerProcess } from "../test/support/worker-process.js";
import { startChildApi, type ChildApi } from "./lib/child-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { createScratchDatabase, serverVersion } from "./lib/scratch-db.js";
import { ms, summarize, type Summary } from "./lib/stats.js";
import { registerUser, TrpcHttp, TrpcHttpError } from "./lib/trpc-http.js";
import { uploadVideo } from "./lib/upload.js";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const jobsFlag = process.argv.indexOf("--jobs");
const PICKUP_JOBS = jobsFlag >= 0 ? Number(process.argv[jobsFlag + 1]) : 20;
const WARMUP_JOBS = 2;
const RACE_CALLS = 200;
const TARGET_P50_MS = 50;

interface Job {
  id: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
}

interface RaceResult {
  wallMs: number;
  created: number;
  balance: number;
  outcomes: Record<string, number>;
}

async function waitUntilEnded(api: TrpcHttp, id: string): Promise<Job> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await api.query<Job>("jobs.get", { id });
    if (!["QUEUED", "RUNNING"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PickupSamples {
  /** BullMQ: enqueued (its timestamp) → RUNNING; embedded: created → RUNNING (upper bound). */
  toRunning: number[];
  /** BullMQ: enqueued → taken by a worker (processedOn); embedded: response → RUNNING (lower bound). */
  second: number[];
}

/** BullMQ's own record of a job: when it was added and when a worker took it (ms since the epoch). */
async function bullTimes(redis: Redis, prefix: string, jobId: string): Promise<{ added: number; taken: number }> {
  const [added, taken] = await redis.hmget(`${prefix}:jobs:${jobId}`, "timestamp", "processedOn");
  if (!added || !taken) throw new Error(`BullMQ has no times for job ${jobId}`);
  return { added: Number(added), taken: Number(taken) };
}

/** Sequential jobs, each picked up from an idle queue; a new user per 25 jobs (30 credits each). */
async function pickup(
  url: string,
  clip: string,
  count: number,
  bull: { redis: Redis; prefix: string } | null,
): Promise<PickupSamples> {
  const samples: PickupSamples = { toRunning: [], second: [] };
  let api: TrpcHttp | null = null;
  let videoId = "";
  for (let i = 0; i < count + WARMUP_JOBS; i++) {
    if (i % 25 === 0) {
      api = new TrpcHttp(url);
      await registerUser(api, "pickup");
      videoId = await uploadVideo(api, clip);
    }
    if (!api) throw new Error("unreachable");
    const job = await api.mutation<Job>("videos.process", { id: videoId, quality: "P360" });
    const answered = Date.now();
    const ended = await waitUntilEnded(api, job.id);
    if (ended.status !== "SUCCEEDED" || !ended.startedAt) throw new Error(`job ended ${ended.status}`);
    if (i < WARMUP_JOBS) continue;
    const running = Date.parse(ended.startedAt);
    if (bull) {
      const { added, taken } = await bullTimes(bull.redis, bull.prefix, job.id);
      samples.toRunning.push(running - added);
      samples.second.push(taken - added);
    } else {
      samples.toRunning.push(running - Date.parse(ended.createdAt));
      samples.second.push(running - answered);
    }
  }
  return samples;
}

/** 200 concurrent process calls; the 170 s source costs ceil(2.8 min) × 2 = 6 credits at P720, so 30 pay for 5. */
async function race(url: string, longClip: string): Promise<RaceResult> {
  const api = new TrpcHttp(url);
  await registerUser(api, "race");
  const videoId = await uploadVideo(api, longClip);
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RACE_CALLS }, async () => {
      const outcome = await api.mutation("videos.process", { id: videoId, quality: "P720" }).then(
        () => "created",
        (error: unknown) =>
          error instanceof TrpcHttpError
            ? (/"errorCode":"(\w+)"/.exec(error.body)?.[1] ?? `HTTP ${error.status}`)
            : String(error),
      );
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }),
  );
  const wallMs = performance.now() - started;
  const jobs = await api.query<{ items: Job[] }>("jobs.list", { videoId, limit: 100 });
  const { balance } = await api.query<{ balance: number }>("credits.balance", {});
  // The jobs would transcode 170 s each; cancel them (refunded) so they do not weigh on what follows.
  for (const job of jobs.items) await api.mutation("jobs.cancel", { id: job.id }).catch(() => undefined);
  return { wallMs, created: jobs.items.length, balance, outcomes };
}

async function main(): Promise<void> {
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-bench-queue-"));
  const database = await createScratchDatabase("queue_pickup");
  const facts = machineFacts({
    "BullMQ database": await serverVersion(database.url),
    redis: REDIS_URL,
    "embedded database": "PGlite (file-backed)",
  });
  const queuePrefix = `rbbench-${randomUUID().slice(0, 8)}`;
  const running: { stop(): Promise<void> }[] = [];
  const redis = new Redis(REDIS_URL);
  let raceFailed = false;
  try {
    const clip = await makeTestVideo(sandbox, { seconds: 1, width: 160, height: 90 });
    const longClip = await makeTestVideo(sandbox, { seconds: 170, width: 160, height: 90 });
    const base = {
      HOST: "127.0.0.1",
      PORT: "0",
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256-0123456789",
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
    };
    const modes: { name: string; bull: boolean; start: () => Promise<ChildApi> }[] = [
      {
        // The bare-machine default: PGlite, jobs run by the API process itself.
        name: "embedded (PGlite jobs table, in the API process)",
        bull: false,
        start: () => startChildApi({ ...base, PGLITE_DATA_DIR: path.join(sandbox, "pg") }),
      },
      {
        name: "BullMQ (API enqueues, worker process runs)",
        bull: true,
        start: async () => {
          const env = { ...base, DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: queuePrefix };
          const api = await startChildApi(env);
          const worker: WorkerProcess = await startWorker(env, 120_000);
          running.push(worker);
          return api;
        },
      },
    ];
    const rows: string[][] = [];
    const raceRows: string[][] = [];
    for (const mode of modes) {
      progress(`${mode.name}: starting`);
      const api = await mode.start();
      running.push(api);
      progress(`${mode.name}: ${PICKUP_JOBS} pickups`);
      const samples = await pickup(api.url, clip, PICKUP_JOBS, mode.bull ? { redis, prefix: queuePrefix } : null);
      const row = (what: string, values: number[], onTarget: boolean) => {
        const summary: Summary = summarize(values);
        const verdict = onTarget ? (summary.p50 <= TARGET_P50_MS ? "yes" : "no") : "";
        rows.push([mode.name, what, String(summary.n), ms(summary.p50), ms(summary.p95), ms(summary.max), verdict]);
      };
      if (mode.bull) {
        row("enqueued → RUNNING", samples.toRunning, true);
        row("enqueued → taken by the worker", samples.second, false);
      } else {
        row("created → RUNNING (upper bound)", samples.toRunning, true);
        row("response → RUNNING (lower bound)", samples.second, false);
      }
      progress(`${mode.name}: race of ${RACE_CALLS}`);
      const result = await race(api.url, longClip);
      const outcomes = Object.entries(result.outcomes)
        .map(([name, count]) => `${name} ${count}`)
        .join(", ");
      const rps = (RACE_CALLS / (result.wallMs / 1000)).toFixed(0);
      raceRows.push([mode.name, ms(result.wallMs), rps, String(result.created), String(result.balance), outcomes]);
      if (result.created !== 5 || result.balance !== 0) raceFailed = true;
    }
    process.stdout.write(
      [
        "## Queue pickup latency and the videos.process race",
        "",
        `Command: \`${benchCommand("queue-pickup.ts")}\``,
        "",
        facts,
        "",
        `Pickup (ms): ${PICKUP_JOBS} jobs after ${WARMUP_JOBS} warm-up, one at a time on an idle queue; target p50 ≤ ${TARGET_P50_MS} ms. ` +
          "RUNNING is the row's startedAt. BullMQ's enqueue time is its own job timestamp; the embedded queue's is bracketed " +
          "by the row's createdAt (before the charge transaction) and the client's receipt of the response.",
        "",
        table(["queue", "interval", "n", "p50", "p95", "max", "p50 on target"], rows),
        "",
        `Race: ${RACE_CALLS} concurrent \`videos.process\` calls (fetch, one process) by one user whose credits pay for exactly 5 jobs.`,
        "",
        table(["queue", "wall ms", "req/s", "jobs created", "balance after", "answers"], raceRows),
        "",
      ].join("\n"),
    );
  } finally {
    for (const part of running.reverse()) await part.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(sandbox, { recursive: true, force: true });
  }
  if (raceFailed) {
    process.stderr.write("[bench] the race broke its invariant: exactly 5 jobs and a balance of 0\n");
    process.exitCode = 1;
  }
}

await main();
