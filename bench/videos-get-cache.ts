/**
 * videos.get throughput on cache hit vs cache miss, over real HTTP against the real API on a
 * scratch PostgreSQL database, with the in-process cache and with Redis. Prints a markdown section.
 *
 *   npx tsx bench/videos-get-cache.ts [--rounds N] [--batch N]
 */
import type { RunningApi } from "../server/src/bootstrap.js";
import { applyMigrations } from "../server/src/database/migrations/migrate.js";
import { CACHE, type Cache } from "../server/src/shared/application/cache.js";
import { startInProcessApi } from "./lib/in-process-api.js";
import { seedVideos } from "./lib/list-sql.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { ms, ratio, summarize } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CONCURRENCY = 8;
const HOT = 100;
const WARM_MISSES = 200;
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 10);
const BATCH = flag("--batch", 500);

interface Batch {
  latencies: number[];
  wallMs: number;
}

/** `ids.length` GETs from CONCURRENCY loops sharing one queue; every answer must be the video asked for. */
async function run(api: TrpcHttp, ids: string[]): Promise<Batch> {
  const latencies: number[] = [];
  const headers = api.headers();
  let next = 0;
  const loop = async () => {
    while (next < ids.length) {
      const id = ids[next++] ?? "";
      const started = performance.now();
      const response = await fetch(api.queryUrl("videos.get", { id }), { headers });
      const body = (await response.json()) as { result?: { data?: { id: string } } };
      latencies.push(performance.now() - started);
      if (!response.ok || body.result?.data?.id !== id) throw new Error(`videos.get ${id}: HTTP ${response.status}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return { latencies, wallMs: performance.now() - started };
}

/** Scans of the videos table (any index or sequential) that PostgreSQL has counted so far. */
async function videoScans(url: string): Promise<number> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ scans: string }>(
      "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans FROM pg_stat_user_tables WHERE relname = 'videos'",
    ),
  );
  return Number(rows[0]?.scans ?? 0);
}

interface ModeResult {
  mode: string;
  hit: Batch[];
  miss: Batch[];
  scans: number;
  expectedScans: number;
  cachedAfter: number;
  checked: number;
}

async function measureMode(mode: "in-process" | "Redis", dbUrl: string): Promise<ModeResult> {
  const api: RunningApi = await startInProcessApi({ DATABASE_URL: dbUrl, ...(mode === "Redis" ? { REDIS_URL } : {}) });
  const cache = api.container.get<Cache>(CACHE);
  const client = new TrpcHttp(api.url);
  const session = await registerUser(client, `cache-${mode}`);
  const total = HOT + WARM_MISSES + ROUNDS * BATCH;
  // 1 % of seeded rows are soft-deleted; seed a few more and keep the live ones.
  await seedVideos(dbUrl, session.user.id, Math.ceil(total * 1.05));
  const { rows } = await withClient(dbUrl, (db) =>
    db.query<{ id: string }>("SELECT id FROM videos WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY random()", [
      session.user.id,
    ]),
  );
  const ids = rows.map((row) => row.id).slice(0, total);
  const hot = ids.slice(0, HOT);
  const warmMisses = ids.slice(HOT, HOT + WARM_MISSES);
  const cold = ids.slice(HOT + WARM_MISSES);
  const keys = [...ids.map((id) => `video:${id}`), `user:${session.user.id}`];
  try {
    const cachedBefore = await countCached(cache, cold);
    if (cachedBefore !== 0) throw new Error(`${cachedBefore} cold ids already cached`);
    const scansBefore = await videoScans(dbUrl);
    progress(`${mode}: warm-up, then ${ROUNDS} rounds of ${BATCH} hits and ${BATCH} misses`);
    await run(client, [...hot, ...hot, ...warmMisses]);
    const hit: Batch[] = [];
    const miss: Batch[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const misses = cold.slice(round * BATCH, (round + 1) * BATCH);
      const hits = Array.from({ length: BATCH }, (_, i) => hot[i % HOT] ?? "");
      if (round % 2 === 0) {
        miss.push(await run(client, misses));
        hit.push(await run(client, hits));
      } else {
        hit.push(await run(client, hits));
        miss.push(await run(client, misses));
      }
    }
    const cachedAfter = (await countCached(cache, cold)) + (await countCached(cache, hot));
    await api.close(); // the pool's backends exit and flush their table statistics
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const scans = (await videoScans(dbUrl)) - scansBefore;
    return {
      mode,
      hit,
      miss,
      scans,
      expectedScans: HOT + WARM_MISSES + cold.length,
      cachedAfter,
      checked: cold.length + hot.length,
    };
  } finally {
    await cleanUp(mode, dbUrl, keys);
    await api.close();
  }
}

async function countCached(cache: Cache, ids: string[]): Promise<number> {
  let cached = 0;
  for (const id of ids) if ((await cache.get(`video:${id}`)) !== undefined) cached++;
  return cached;
}

/** Only this run's keys leave Redis: they are named by ids no one else has. */
async function cleanUp(mode: string, dbUrl: string, keys: string[]): Promise<void> {
  if (mode !== "Redis") return;
  const api = await startInProcessApi({ DATABASE_URL: dbUrl, REDIS_URL });
  try {
    const cache = api.container.get<Cache>(CACHE);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the client connect
    for (let start = 0; start < keys.length; start += 500) await cache.delete(...keys.slice(start, start + 500));
  } finally {
    await api.close();
  }
}

function describe(result: ModeResult): string[][] {
  const line = (variant: string, batches: Batch[]) => {
    const latencies = batches.flatMap((batch) => batch.latencies);
    const seconds = batches.reduce((sum, batch) => sum + batch.wallMs, 0) / 1000;
    const summary = summarize(latencies);
    return { variant, n: latencies.length, rps: latencies.length / seconds, summary };
  };
  const hit = line("hit", result.hit);
  const miss = line("miss", result.miss);
  return [hit, miss].map((entry) => [
    result.mode,
    entry.variant,
    String(entry.n),
    entry.rps.toFixed(0),
    ms(entry.summary.p50),
    ms(entry.summary.p95),
    entry.variant === "hit" ? `**${ratio(hit.rps, miss.rps)}×**` : "1.00×",
  ]);
}

async function main(): Promise<void> {
  const db = await createScratchDatabase("cache");
  try {
    await applyMigrations({ kind: "postgres", url: db.url });
    const results = [await measureMode("in-process", db.url), await measureMode("Redis", db.url)];
    const rows = results.flatMap(describe);
    const checks = results.map(
      (result) =>
        `- ${result.mode}: videos-table scans counted by PostgreSQL during warm-up and rounds: ${result.scans} ` +
        `(expected ${result.expectedScans}: one per first read of an id, none per hit); ` +
        `${result.cachedAfter} of ${result.checked} ids cached afterwards.`,
    );
    process.stdout.write(`## videos.get: cache hit vs cache miss

Command: \`${benchCommand("videos-get-cache.ts")}\`

${machineFacts({ database: await serverVersion(db.url), redis: REDIS_URL })}

Setup: a scratch PostgreSQL database; the real API in-process (\`startApi\`, NODE_ENV=production,
LOG_LEVEL=silent), once with the in-process cache and once with Redis (\`REDIS_URL\`). Per mode a new
user owns ${HOT + WARM_MISSES + ROUNDS * BATCH} videos seeded in SQL (so nothing is cached by creation).
**Hit** = GETs cycling over ${HOT} ids read twice during warm-up; **miss** = the first GET ever of an id
(${ROUNDS * BATCH} distinct ids, each read once). ${ROUNDS} rounds of ${BATCH} hits and ${BATCH} misses, alternating which goes
first, each batch driven by ${CONCURRENCY} concurrent \`fetch\` loops; throughput = requests / summed batch wall time.
Client and server share the machine's cores, so the client's cost caps both rates.

${table(["cache", "variant", "requests", "req/s", "p50 ms", "p95 ms", "hit / miss throughput"], rows)}

Checks that hits were hits and misses were misses:
${checks.join("\n")}

**Target:** none set (informational). Every request also authenticates its Bearer token, which reads
the user through the same cache (a hit in both variants).
`);
  } finally {
    await db.drop();
  }
}

await main();
