/**
 * What the outbox (docs/adr/0023) adds to a request: the same API started twice, side by side in
 * the same interleaved rounds, once as it ships and once with event recording switched off
 * (bench/lib/no-event-outbox.ts, a bench-only preload that makes `PrismaEventOutbox.append` a no-op).
 *
 *   npx tsx bench/outbox-cost.ts [--rounds N] [--duration S] [--connections N]
 *
 * Measured: `videos.process` (P360 and P720 on fresh UPLOADED videos, each (video, quality) once, so
 * every call is a new job: charged, inserted, enqueued) and, for comparison, `videos.delete` (fresh
 * videos), the mutation whose transaction gains the outbox's INSERT on every call. Both APIs run as
 * in production (NODE_ENV=production, PostgreSQL, Redis cache and event bus, BullMQ) and run no
 * jobs: with REDIS_URL the API only enqueues, and no worker is started, so no encode, relay or
 * delivery competes for the cores. Each API is a process of its own pinned to core 0; the load
 * generator (autocannon, bench/lib/mutation-load-generator.ts) is a process of its own pinned to
 * core 1. Rounds are interleaved after a warm-up round; ratios are taken within a round.
 *
 * Then, with the APIs stopped, what one append costs a transaction that writes anyway, in this
 * process: a row insert alone, with `PrismaEventOutbox.append` (one raw INSERT), and with the same
 * event written by Prisma's createMany (how the append was first written), interleaved; CPU and
 * wall time per transaction.
 */

import { rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { loadConfig } from "../server/src/config/config.js";
import type { Prisma } from "../server/src/generated/prisma/client.js";
import { createDatabaseAdapter } from "../server/src/database/database.adapter.js";
import { createWinstonLogger } from "../server/src/logging/winston-logger.js";
import { PrismaEventOutbox } from "../server/src/outbox/prisma-event-outbox.js";
import { newEventId, type DomainEvent } from "../server/src/shared/domain/domain-event.js";
import { startChildApi, type ChildApi } from "./lib/child-api.js";
import { processCpuSeconds } from "./lib/cpu-time.js";
import { BENCH_ENV } from "./lib/in-process-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import type { MutationLoadResult, MutationLoadSpec } from "./lib/mutation-load-generator.js";
import { median, pin, run } from "./lib/pinned-processes.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { registerUser, TrpcHttp, type Session } from "./lib/trpc-http.js";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 9);
const DURATION_SECONDS = flag("--duration", 4);
const CONNECTIONS = flag("--connections", 16);
const SERVER_CORE = "0";
const LOAD_CORE = "1";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Fresh videos per API and operation; a window that needs more fails the run (raise it). */
const VIDEOS_PER_SET = 40_000;
const TARGET = 0.9;
/** Transactions per way and round in the in-process part. */
const APPEND_TRANSACTIONS = 1_000;
const APPEND_ROUNDS = 5;

type Outbox = "on" | "off";
type Operation = "process" | "delete";

interface Variant {
  key: string;
  label: string;
  outbox: Outbox;
  operation: Operation;
}

const VARIANTS: Variant[] = [
  { key: "process-on", label: "`videos.process`, outbox as shipped", outbox: "on", operation: "process" },
  { key: "process-off", label: "`videos.process`, event recording off", outbox: "off", operation: "process" },
  { key: "delete-on", label: "`videos.delete`, outbox as shipped", outbox: "on", operation: "delete" },
  { key: "delete-off", label: "`videos.delete`, event recording off", outbox: "off", operation: "delete" },
];

interface Api {
  child: ChildApi;
  session: Session;
  queuePrefix: string;
  /** Request bodies not sent yet, per operation: each is used once. */
  bodies: Record<Operation, string[]>;
}

async function startApi(outbox: Outbox, databaseUrl: string): Promise<ChildApi> {
  const child = await startChildApi(
    {
      ...BENCH_ENV,
      // Budgets no round can spend: every call pays for the check, none is refused.
      RATE_LIMIT_CALLER_POINTS: "1000000000",
      RATE_LIMIT_IP_POINTS: "1000000000",
      LOG_LEVEL: "info",
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: `bench-outbox-cost-${process.pid}-${outbox}`,
    },
    120_000,
    outbox === "off" ? ["--import", "./bench/lib/no-event-outbox.ts"] : [],
  );
  await pin(child.pid, SERVER_CORE);
  return child;
}

/** UPLOADED videos with a probe (30 s, 640×360), as completeUpload leaves them; their ids in a stable random order. */
async function seedUploadedVideos(url: string, ownerId: string, rows: number): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows: inserted } = await client.query<{ id: string }>(
      `INSERT INTO videos (id, owner_id, title, description, status, duration_seconds, width, height, video_codec,
                           audio_codec, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'bench ' || i, '', 'UPLOADED', 30, 640, 360, 'h264', 'aac', now(), now()
       FROM generate_series(1, $2::int) AS i
       RETURNING id`,
      [ownerId, rows],
    );
    return inserted.map((row) => row.id).sort();
  });
}

interface Measured extends MutationLoadResult {
  /** The API process's CPU (user + system, all threads) per call, in ms: what a neighbour's load barely moves. */
  cpuMsPerCall: number;
}

async function drive(api: Api, operation: Operation, seconds: number): Promise<Measured> {
  const bodies = api.bodies[operation];
  const spec: MutationLoadSpec = {
    url: api.child.url,
    path: operation === "process" ? "/trpc/videos.process" : "/trpc/videos.delete",
    bodies,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    headers: { authorization: `Bearer ${api.session.accessToken}` },
  };
  const file = path.join(tmpdir(), `reelbase-outbox-load-${process.pid}.json`);
  await writeFile(file, JSON.stringify(spec));
  let result: MutationLoadResult;
  const cpuBefore = await processCpuSeconds(api.child.pid);
  try {
    const stdout = await run("taskset", [
      "-c",
      LOAD_CORE,
      process.execPath,
      "--import",
      "tsx",
      "bench/lib/mutation-load-generator.ts",
      file,
    ]);
    result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as MutationLoadResult;
  } finally {
    await rm(file, { force: true });
  }
  if (result.used > bodies.length) throw new Error(`${operation}: a window needed more than ${bodies.length} fresh calls`);
  const cpuMsPerCall = (((await processCpuSeconds(api.child.pid)) - cpuBefore) * 1000) / Math.max(1, result.total);
  api.bodies[operation] = bodies.slice(result.used);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(`${operation}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { ...result, cpuMsPerCall };
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  } finally {
    redis.disconnect();
  }
}

type AppendWay = "row only" | "row + PrismaEventOutbox.append" | "row + the same event by createMany";
const APPEND_WAYS: AppendWay[] = ["row only", "row + PrismaEventOutbox.append", "row + the same event by createMany"];

interface AppendCost {
  cpuMs: number;
  wallMs: number;
}

/** Per transaction, each way interleaved over rounds: what appending one event adds to a writing transaction. */
async function appendCost(url: string): Promise<Map<AppendWay, AppendCost[]>> {
  const logger = createWinstonLogger({ level: "silent", json: true });
  const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: url });
  const adapter = await createDatabaseAdapter(config, logger);
  const database = adapter.value;
  const outbox = new PrismaEventOutbox(database);
  const ownerId = "00000000-0000-4000-8000-000000000000";
  const event = (): DomainEvent => ({
    id: newEventId(),
    type: "video.deleted",
    aggregateId: ownerId,
    ownerId,
    occurredAt: new Date(),
    data: { id: ownerId, title: "bench", description: "", status: "READY" },
  });
  const ways: Record<AppendWay, () => Promise<unknown>> = {
    "row only": async () => {},
    "row + PrismaEventOutbox.append": () => outbox.append([event()]),
    // How the append was written first (the typed client's createMany), for comparison.
    "row + the same event by createMany": () => {
      const { id, type, aggregateId, occurredAt, data } = event();
      return database.client.outboxEvent.createMany({
        data: [{ id, type, aggregateId, ownerId, data: data as Prisma.InputJsonObject, createdAt: occurredAt, handledAt: null }],
      });
    },
  };
  const results = new Map<AppendWay, AppendCost[]>(APPEND_WAYS.map((way) => [way, []]));
  try {
    await database.client.$executeRawUnsafe("CREATE TABLE bench_writes (id uuid PRIMARY KEY, at timestamptz NOT NULL)");
    const once = async (way: AppendWay, count: number): Promise<AppendCost> => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        await database.transaction(async () => {
          await database.client.$executeRaw`INSERT INTO bench_writes (id, at) VALUES (gen_random_uuid(), now())`;
          await ways[way]();
        });
      }
      const used = process.cpuUsage(cpu);
      return { cpuMs: (used.user + used.system) / 1000 / count, wallMs: (performance.now() - start) / count };
    };
    for (const way of APPEND_WAYS) await once(way, APPEND_TRANSACTIONS / 5); // warm-up
    for (let round = 0; round < APPEND_ROUNDS; round++) {
      for (const way of round % 2 === 0 ? APPEND_WAYS : [...APPEND_WAYS].reverse()) {
        const measured = await once(way, APPEND_TRANSACTIONS);
        results.get(way)?.push(measured);
        progress(`append round ${round + 1}/${APPEND_ROUNDS} ${way}: ${measured.cpuMs.toFixed(2)} ms CPU per transaction`);
      }
    }
  } finally {
    await adapter.close();
  }
  return results;
}

async function main(): Promise<void> {
  await pin(process.pid, LOAD_CORE);
  progress("creating a scratch database");
  const db = await createScratchDatabase("outbox_cost");
  const apis: Partial<Record<Outbox, Api>> = {};
  try {
    for (const outbox of ["on", "off"] as const) {
      progress(`starting the API, outbox ${outbox}`);
      const child = await startApi(outbox, db.url);
      const queuePrefix = `bench-outbox-cost-${process.pid}-${outbox}`;
      const session = await registerUser(new TrpcHttp(child.url), `outbox-${outbox}`);
      // Credits no run can spend, so every call is charged and none is refused, and no charge
      // crosses the credits.low threshold (which would add an event to videos.process).
      await withClient(db.url, (client) =>
        client.query("UPDATE credit_accounts SET balance = 1000000000 WHERE user_id = $1::uuid", [session.user.id]),
      );
      progress(`seeding ${2 * VIDEOS_PER_SET} uploaded videos for outbox ${outbox}`);
      const toProcess = await seedUploadedVideos(db.url, session.user.id, VIDEOS_PER_SET);
      const toDelete = await seedUploadedVideos(db.url, session.user.id, VIDEOS_PER_SET);
      apis[outbox] = {
        child,
        session,
        queuePrefix,
        bodies: {
          // Each video twice, a quality each: a new job every call (one active job per quality).
          process: toProcess.flatMap((id) => ["P360", "P720"].map((quality) => JSON.stringify({ id, quality }))),
          delete: toDelete.map((id) => JSON.stringify({ id })),
        },
      };
    }
    await withClient(db.url, (client) => client.query("VACUUM (ANALYZE)"));
    const apiOf = (variant: Variant): Api => {
      const api = apis[variant.outbox];
      if (!api) throw new Error(`the outbox-${variant.outbox} API is not running`);
      return api;
    };

    progress("warm-up round");
    for (const variant of VARIANTS) await drive(apiOf(variant), variant.operation, 2);
    const results = new Map<string, Measured[]>(VARIANTS.map((variant) => [variant.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which API goes first, so neither always follows the other's writes.
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const measured = await drive(apiOf(variant), variant.operation, DURATION_SECONDS);
        results.get(variant.key)?.push(measured);
        progress(
          `round ${round + 1}/${ROUNDS} ${variant.key}: ${Math.round(measured.requestsPerSecond)} ops/s, ` +
            `p99 ${measured.latencyP99Ms} ms, ${measured.cpuMsPerCall.toFixed(2)} ms CPU per call`,
        );
      }
    }

    // The switch took: the API without event recording wrote no outbox row, the other one per deletion.
    const outboxRows = async (api: Api) => {
      const { rows } = await withClient(db.url, (client) =>
        client.query<{ type: string; n: string }>(
          "SELECT type, count(*) AS n FROM outbox_events WHERE owner_id = $1::uuid GROUP BY type ORDER BY type",
          [api.session.user.id],
        ),
      );
      return rows.map((row) => `${row.type} ${row.n}`).join(", ") || "none";
    };
    const deletedBy = async (api: Api) => {
      const { rows } = await withClient(db.url, (client) =>
        client.query<{ n: string }>("SELECT count(*) AS n FROM videos WHERE owner_id = $1::uuid AND deleted_at IS NOT NULL", [
          api.session.user.id,
        ]),
      );
      return Number(rows[0]?.n ?? 0);
    };
    const on = apiOf(VARIANTS[0] as Variant);
    const off = apiOf(VARIANTS[1] as Variant);
    const checks = {
      on: { events: await outboxRows(on), deleted: await deletedBy(on) },
      off: { events: await outboxRows(off), deleted: await deletedBy(off) },
    };
    if (checks.off.events !== "none") throw new Error(`the switch did not take: outbox rows ${checks.off.events}`);
    if (checks.on.events !== `video.deleted ${checks.on.deleted}`)
      throw new Error(`expected one video.deleted per deletion (${checks.on.deleted}), found ${checks.on.events}`);

    for (const api of Object.values(apis)) await api.child.stop();
    progress("one append's cost to a writing transaction, in this process");
    const appends = await appendCost(db.url);
    process.stdout.write(`${report(results, checks, appends, await serverVersion(db.url))}\n`);
  } finally {
    for (const api of Object.values(apis)) {
      await api.child.stop();
      await dropKeys(api.queuePrefix).catch(() => undefined);
    }
    await db.drop();
  }
}

function report(
  results: Map<string, Measured[]>,
  checks: Record<Outbox, { events: string; deleted: number }>,
  appends: Map<AppendWay, AppendCost[]>,
  database: string,
): string {
  const appendOf = (way: AppendWay, field: keyof AppendCost) => median((appends.get(way) ?? []).map((cost) => cost[field]));
  const base = appendOf("row only", "cpuMs");
  const rps = (key: string) => (results.get(key) ?? []).map((measured) => measured.requestsPerSecond);
  const p99s = (key: string) => (results.get(key) ?? []).map((measured) => measured.latencyP99Ms);
  const cpu = (key: string) => (results.get(key) ?? []).map((measured) => measured.cpuMsPerCall);
  const perRound = (values: (key: string) => number[], a: string, b: string) =>
    values(a).map((value, round) => value / (values(b)[round] ?? Number.NaN));
  const rows = VARIANTS.map((variant) => [
    variant.label,
    median(rps(variant.key)).toFixed(0),
    rps(variant.key)
      .map((value) => value.toFixed(0))
      .join(" / "),
    median((results.get(variant.key) ?? []).map((measured) => measured.latencyP50Ms)).toFixed(0),
    median(p99s(variant.key)).toFixed(0),
    median(cpu(variant.key)).toFixed(2),
  ]);
  const ratios = (["process", "delete"] as const).map((operation) => {
    const throughput = perRound(rps, `${operation}-on`, `${operation}-off`);
    const p99 = perRound(p99s, `${operation}-on`, `${operation}-off`);
    const cpuRatio = perRound(cpu, `${operation}-on`, `${operation}-off`);
    return { operation, throughput, p99, cpuRatio, cost: 1 - median(throughput) };
  });
  const processRatio = ratios[0];
  const met = processRatio ? median(processRatio.throughput) >= TARGET : false;
  return [
    "## Outbox cost: `videos.process` with and without event recording",
    `Command: \`${benchCommand("outbox-cost.ts")}\``,
    machineFacts({
      // availableParallelism() would say 1: this process is pinned to one core.
      nproc: String(cpus().length),
      database,
      redis: REDIS_URL,
      setup:
        `two API processes (NODE_ENV=production, PostgreSQL, Redis cache/event bus/BullMQ, access logs at info, no worker), ` +
        `one as shipped and one started with bench/lib/no-event-outbox.ts; each pinned to core ${SERVER_CORE} (one measured at a time), ` +
        `autocannon in its own process on core ${LOAD_CORE}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ` +
        `${DURATION_SECONDS} s after a 2 s warm-up; every call on a fresh (video, quality) or video`,
    }),
    table(["variant", "ops/s (median)", "ops/s per round", "p50 ms", "p99 ms (median)", "API CPU ms per call"], rows),
    table(
      ["operation", "on ÷ off ops/s per round", "median", "cost", "on ÷ off p99 per round", "on ÷ off CPU per call (median)"],
      ratios.map(({ operation, throughput, p99, cpuRatio, cost }) => [
        `\`videos.${operation}\``,
        throughput.map((value) => value.toFixed(2)).join(" / "),
        median(throughput).toFixed(2),
        `${(cost * 100).toFixed(1)} %`,
        p99.map((value) => value.toFixed(2)).join(" / "),
        median(cpuRatio).toFixed(2),
      ]),
    ),
    `Outbox rows afterwards: as shipped ${checks.on.events} (${checks.on.deleted} deletions); recording off ${checks.off.events}.`,
    `One event appended to a transaction that writes a row anyway, in the bench process (${APPEND_ROUNDS} interleaved rounds of ${APPEND_TRANSACTIONS} transactions per way, medians):`,
    table(
      ["transaction", "CPU ms", "CPU ms added", "wall ms"],
      APPEND_WAYS.map((way) => [
        way,
        appendOf(way, "cpuMs").toFixed(2),
        way === "row only" ? "–" : (appendOf(way, "cpuMs") - base).toFixed(2),
        appendOf(way, "wallMs").toFixed(2),
      ]),
    ),
    table(
      ["target", "measured", "needed", "met"],
      [
        [
          "`videos.process` on ÷ off ops/s",
          processRatio ? median(processRatio.throughput).toFixed(2) : "?",
          `≥ ${TARGET} (cost ≤ 10 %)`,
          met ? "yes" : "no",
        ],
      ],
    ),
  ].join("\n\n");
}

await main();
