/**
 * Webhook delivery throughput and latency through one worker: the real API (a child process) and
 * one `npm run worker` process on a scratch PostgreSQL database and Redis, a receiver on 127.0.0.1.
 *
 *   npx tsx bench/webhook-delivery.ts [--events N]
 *
 * Throughput: N `video.ready` events committed at once, in one INSERT into the outbox (as N changes
 * committed together would leave them), for an endpoint subscribed to them; the worker's relay fans
 * them out and its delivery worker sends them. Deliveries/s is N over commit → last receipt.
 * Latency, while the queue keeps up: `webhooks.test` calls (each commits an event and its delivery in
 * one transaction) paced at 50/s; from the event's `createdAt` in the delivered body (taken before
 * the commit, so it overstates the wait a little) to its receipt.
 */
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { startWorker } from "../test/support/worker-process.js";
import { startChildApi } from "./lib/child-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { ms, percentile, summarize } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const eventsFlag = process.argv.indexOf("--events");
const EVENTS = eventsFlag >= 0 ? Number(process.argv[eventsFlag + 1]) : 1000;
const PACED_EVENTS = 200;
const PACE_PER_SECOND = 50;
const TARGET_RATE = 200;
const TARGET_P99_MS = 1000;

async function main(): Promise<void> {
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-bench-webhooks-"));
  const database = await createScratchDatabase("webhook_delivery");
  const facts = machineFacts({ database: await serverVersion(database.url), redis: REDIS_URL });
  const prefix = `rbbench-${randomUUID().slice(0, 8)}`;
  /** Receipt time by event id, and the event's createdAt from its body. */
  const received = new Map<string, { at: number; createdAt: number }>();
  let duplicates = 0;
  const receiver = createServer((req, res) => {
    const id = String(req.headers["webhook-id"]);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = Date.now();
      const { createdAt } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { createdAt: string };
      if (received.has(id)) duplicates++;
      else received.set(id, { at, createdAt: Date.parse(createdAt) });
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const env = {
    HOST: "127.0.0.1",
    PORT: "0",
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256-0123456789",
    ARGON2_MEMORY_KIB: "1024",
    ARGON2_TIME_COST: "1",
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    RATE_LIMITS: "off",
    HOUSEKEEPING: "off",
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
  };
  const api = await startChildApi(env);
  const worker = await startWorker(env, 120_000);
  const redis = new Redis(REDIS_URL);
  try {
    const client = new TrpcHttp(api.url);
    await registerUser(client, "hooks");
    const hook = await client.mutation<{ id: string }>("webhooks.create", { url: receiverUrl, events: ["job.failed"] });
    const me = await client.query<{ id: string }>("auth.me", undefined);
    await client.mutation("webhooks.create", { url: `${receiverUrl}?ready`, events: ["video.ready"] });

    progress(`throughput: ${EVENTS} events committed at once`);
    const committedAt = await withClient(database.url, async (pg) => {
      const { rows } = await pg.query<{ now: Date }>(
        `INSERT INTO outbox_events (id, type, aggregate_id, owner_id, data, created_at)
         SELECT 'evt_bench_' || g, 'video.ready', 'bench', $1::uuid, '{}'::jsonb, clock_timestamp()
         FROM generate_series(1, $2::int) g
         RETURNING clock_timestamp() AS now`,
        [me.id, EVENTS],
      );
      return Math.max(...rows.map((row) => row.now.getTime()));
    });
    const bulkDone = await waitFor(() => countMatching(received, (id) => id.startsWith("evt_bench_")) >= EVENTS);
    const bulkTimes = [...received].filter(([id]) => id.startsWith("evt_bench_")).map(([, entry]) => entry.at);
    const lastBulk = Math.max(...bulkTimes);
    const rate = bulkTimes.length / ((lastBulk - committedAt) / 1000);

    progress(`latency: ${PACED_EVENTS} webhooks.test calls at ${PACE_PER_SECOND}/s`);
    const paced: string[] = [];
    const pacedStart = Date.now();
    const calls: Promise<void>[] = [];
    for (let i = 0; i < PACED_EVENTS; i++) {
      const due = pacedStart + (i * 1000) / PACE_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      calls.push(
        client.mutation<{ eventId: string }>("webhooks.test", { id: hook.id }).then(({ eventId }) => void paced.push(eventId)),
      );
    }
    await Promise.all(calls);
    const pacedDone = await waitFor(() => paced.every((id) => received.has(id)));
    const latencies = paced.flatMap((id) => {
      const entry = received.get(id);
      return entry ? [entry.at - entry.createdAt] : [];
    });
    const summary = {
      ...summarize(latencies),
      p99: percentile(
        [...latencies].sort((a, b) => a - b),
        99,
      ),
    };
    const rows = [
      ["bulk: events committed / delivered", `${EVENTS} / ${bulkTimes.length}${bulkDone ? "" : " (timed out)"}`],
      ["bulk: commit → last receipt (s)", ((lastBulk - committedAt) / 1000).toFixed(2)],
      ["bulk: deliveries/s", rate.toFixed(0)],
      ["paced: events / delivered", `${PACED_EVENTS} / ${latencies.length}${pacedDone ? "" : " (timed out)"}`],
      ["paced: event createdAt → receipt p50 / p99 / max (ms)", `${ms(summary.p50)} / ${ms(summary.p99)} / ${ms(summary.max)}`],
      ["duplicates received (same webhook-id twice)", String(duplicates)],
    ];
    const verdicts = [
      ["deliveries/s", rate.toFixed(0), `≥ ${TARGET_RATE}`, rate >= TARGET_RATE ? "yes" : "no"],
      ["p99 commit → receipt", `${ms(summary.p99)} ms`, `≤ ${TARGET_P99_MS} ms`, summary.p99 <= TARGET_P99_MS ? "yes" : "no"],
    ];
    process.stdout.write(
      [
        "## Webhook delivery: 1 000 events through one worker",
        "",
        `Command: \`${benchCommand("webhook-delivery.ts")}\``,
        "",
        facts,
        `- setup: one API process (NODE_ENV=production, PostgreSQL, Redis, rate limits off) that runs no relay, one \`npm run worker\` process that relays and delivers (WEBHOOK_CONCURRENCY 16), one endpoint on a receiver in the bench process at 127.0.0.1 answering 204; ${EVENTS} events committed at once, then ${PACED_EVENTS} \`webhooks.test\` calls at ${PACE_PER_SECOND}/s`,
        "",
        table(["measure", "value"], rows),
        "",
        table(["target", "measured", "needed", "met"], verdicts),
        "",
      ].join("\n"),
    );
  } finally {
    await worker.stop().catch(() => undefined);
    await api.stop().catch(() => undefined);
    receiver.close();
    await database.drop().catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(sandbox, { recursive: true, force: true });
  }
}

/** Polls until `done` (true) or two minutes pass (false). */
async function waitFor(done: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

function countMatching<V>(map: Map<string, V>, keep: (key: string) => boolean): number {
  let count = 0;
  for (const key of map.keys()) if (keep(key)) count++;
  return count;
}

await main();
