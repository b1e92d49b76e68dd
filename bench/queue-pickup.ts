/**
 * Queue pickup latency and the videos.process race, against the real API (a child process) and,
 * for BullMQ, a real `npm run worker` process, both on a scratch PostgreSQL database.
 *
 *   npx tsx bench/queue-pickup.ts [--jobs N]
 *
 * Pickup: one tiny job at a time on an idle queue; latency = the job row's startedAt (set by the
 * process that claims it) − its createdAt (set by the API just before the commit and the enqueue).
 * Race: 200 concurrent videos.process calls by one user whose 30 credits pay for exactly 5 jobs.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
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

/** A source uploaded as a client would: createUpload, PUT, completeUpload. */
async function upload(api: TrpcHttp, file: string): Promise<string> {
  const bytes = await readFile(file);
  const video = await api.mutation<{ id: string }>("videos.create", { title: "bench" });
  const target = await api.mutation<{ uploadUrl: string; headers: Record<string, string> }>("videos.createUpload", {
    id: video.id,
    filename: "clip.mp4",
    contentType: "video/mp4",
    sizeBytes: bytes.byteLength,
  });
  const put = await fetch(target.uploadUrl, { method: "PUT", headers: target.headers, body: bytes });
  if (!put.ok) throw new Error(`PUT answered ${put.status}`);
  await api.mutation("videos.completeUpload", { id: video.id });
  return video.id;
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

/** Sequential jobs, each picked up from an idle queue; a new user per 25 jobs (30 credits each). */
async function pickup(url: string, clip: string, count: number): Promise<Summary> {
  const samples: number[] = [];
  let api: TrpcHttp | null = null;
  let videoId = "";
  for (let i = 0; i < count + WARMUP_JOBS; i++) {
    if (i % 25 === 0) {
      api = new TrpcHttp(url);
      await registerUser(api, "pickup");
      videoId = await upload(api, clip);
    }
    if (!api) throw new Error("unreachable");
    const job = await api.mutation<Job>("videos.process", { id: videoId, quality: "P360" });
    const ended = await waitUntilEnded(api, job.id);
    if (ended.status !== "SUCCEEDED" || !ended.startedAt) throw new Error(`job ended ${ended.status}`);
    if (i >= WARMUP_JOBS) samples.push(Date.parse(ended.startedAt) - Date.parse(ended.createdAt));
  }
  return summarize(samples);
}

/** 200 concurrent process calls; the 170 s source costs ceil(2.8 min) × 2 = 6 credits at P720, so 30 pay for 5. */
async function race(url: string, longClip: string): Promise<RaceResult> {
  const api = new TrpcHttp(url);
  await registerUser(api, "race");
  const videoId = await upload(api, longClip);
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
    const modes: { name: string; start: () => Promise<ChildApi> }[] = [
      {
        // The bare-machine default: PGlite, jobs run by the API process itself.
        name: "embedded (PGlite jobs table, in the API process)",
        start: () => startChildApi({ ...base, PGLITE_DATA_DIR: path.join(sandbox, "pg") }),
      },
      {
        name: "BullMQ (API enqueues, worker process runs)",
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
      const summary = await pickup(api.url, clip, PICKUP_JOBS);
      rows.push([
        mode.name,
        String(summary.n),
        ms(summary.p50),
        ms(summary.p95),
        ms(summary.max),
        summary.p50 <= TARGET_P50_MS ? "yes" : "no",
      ]);
      progress(`${mode.name}: race of ${RACE_CALLS}`);
      const result = await race(api.url, longClip);
      const outcomes = Object.entries(result.outcomes)
        .map(([name, count]) => `${name} ${count}`)
        .join(", ");
      const rps = (RACE_CALLS / (result.wallMs / 1000)).toFixed(0);
      raceRows.push([mode.name, ms(result.wallMs), rps, String(result.created), String(result.balance), outcomes]);
    }
    process.stdout.write(
      [
        "## Queue pickup latency and the videos.process race",
        "",
        `Command: \`${benchCommand("queue-pickup.ts")}\``,
        "",
        facts,
        "",
        `Pickup: job created → RUNNING (startedAt − createdAt of the row, ms), ${PICKUP_JOBS} jobs after ${WARMUP_JOBS} warm-up, one at a time on an idle queue; target p50 ≤ ${TARGET_P50_MS} ms.`,
        "",
        table(["queue", "n", "p50", "p95", "max", "p50 on target"], rows),
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
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(sandbox, { recursive: true, force: true });
  }
}

await main();
