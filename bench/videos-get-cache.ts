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
import { createScratchDatabase, serverVersion, withClient, type ScratchDatabase } from "./lib/scratch-db.js";
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

/** A GET and, for videos.get, the id the answer must carry. */
interface Probe {
  url: string;
  expectId?: string;
}

const videoProbes = (api: TrpcHttp, ids: string[]): Probe[] =>
  ids.map((id) => ({ url: api.queryUrl("videos.get", { id }), expectId: id }));

/** The probes from CONCURRENCY loops sharing one queue; every answer must be 200 (and the video asked for). */
async function run(probes: Probe[], headers: Record<string, string>): Promise<Batch> {
  const latencies: number[] = [];
  let next = 0;
  const loop = async () => {
    while (next < probes.length) {
      const probe = probes[next++];
      if (!probe) break;
      const started = performance.now();
      const response = await fetch(probe.url, { headers });
      const body = (await response.json()) as { result?: { data?: { id?: string } } };
      latencies.push(performance.now() - started);
      const wrongVideo = probe.expectId !== undefined && body.result?.data?.id !== probe.expectId;
      if (!response.ok || wrongVideo) throw new Error(`${probe.url}: HTTP ${response.status}`);
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

interface Mode {
  name: "in-process" | "Redis";
  db: ScratchDatabase;
  api: RunningApi;
  cache: Cache;
  client: TrpcHttp;
  hot: string[];
  warmMisses: string[];
  cold: string[];
  keys: string[];
  scansBefore: number;
  hit: Batch[];
  miss: Batch[];
  /** Its Redis keys are deleted (or there are none to delete). */
  cleaned: boolean;
}

/** One API per cache mode, each on its own scratch database (so table statistics count one mode each). */
async function startMode(name: Mode["name"]): Promise<Mode> {
  const db = await createScratchDatabase(name === "Redis" ? "cache_redis" : "cache_memory");
  await applyMigrations({ kind: "postgres", url: db.url });
  const api = await startInProcessApi({ DATABASE_URL: db.url, ...(name === "Redis" ? { REDIS_URL } : {}) });
  const client = new TrpcHttp(api.url);
  const session = await registerUser(client, "cache");
  const total = HOT + WARM_MISSES + ROUNDS * BATCH;
  // 1 % of seeded rows are soft-deleted; seed a few more and keep the live ones.
  await seedVideos(db.url, session.user.id, Math.ceil(total * 1.05));
  const { rows } = await withClient(db.url, (pg) =>
    pg.query<{ id: string }>("SELECT id FROM videos WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY random()", [
      session.user.id,
    ]),
  );
  const ids = rows.map((row) => row.id).slice(0, total);
  const cache = api.container.get<Cache>(CACHE);
  const cold = ids.slice(HOT + WARM_MISSES);
  if ((await countCached(cache, cold)) !== 0) throw new Error(`${name}: cold ids already cached`);
  return {
    name,
    db,
    api,
    cache,
    client,
    hot: ids.slice(0, HOT),
    warmMisses: ids.slice(HOT, HOT + WARM_MISSES),
    cold,
    keys: [...ids.map((id) => `video:${id}`), `user:${session.user.id}`],
    scansBefore: await videoScans(db.url),
    hit: [],
    miss: [],
    cleaned: name !== "Redis",
  };
}

/**
 * Every round runs the five batches (2 modes × hit/miss, plus the HTTP floor: GET /health/live on the
 * first API, no auth, no tRPC, no cache) in a rotated order, so drift hits all alike.
 */
async function measure(modes: Mode[], floor: Batch[]): Promise<void> {
  for (const mode of modes)
    await run(videoProbes(mode.client, [...mode.hot, ...mode.hot, ...mode.warmMisses]), mode.client.headers());
  const floorUrl = `${modes[0]?.api.url ?? ""}/health/live`;
  const floorProbes = Array.from({ length: BATCH }, () => ({ url: floorUrl }));
  await run(floorProbes, {});
  const batches: { mode: Mode | null; hit: boolean }[] = [
    ...modes.flatMap((mode) => [
      { mode, hit: true },
      { mode, hit: false },
    ]),
    { mode: null, hit: false },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < batches.length; k++) {
      const batch = batches[(round + k) % batches.length];
      const mode = batch?.mode;
      if (!batch) continue;
      if (!mode) floor.push(await run(floorProbes, {}));
      else if (batch.hit) {
        const ids = Array.from({ length: BATCH }, (_, i) => mode.hot[i % HOT] ?? "");
        mode.hit.push(await run(videoProbes(mode.client, ids), mode.client.headers()));
      } else {
        const ids = mode.cold.slice(round * BATCH, (round + 1) * BATCH);
        mode.miss.push(await run(videoProbes(mode.client, ids), mode.client.headers()));
      }
    }
  }
}

/** After the rounds: which ids are cached, and how often PostgreSQL was asked for a video. */
async function verify(mode: Mode): Promise<string> {
  const cached = (await countCached(mode.cache, mode.cold)) + (await countCached(mode.cache, mode.hot));
  await cleanUp(mode);
  await mode.api.close(); // the pool's backends exit and flush their table statistics
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const scans = (await videoScans(mode.db.url)) - mode.scansBefore;
  const expected = HOT + WARM_MISSES + mode.cold.length;
  return (
    `- ${mode.name}: videos-table scans counted by PostgreSQL during warm-up and rounds: ${scans} ` +
    `(expected ${expected}: one per first read of an id, none per hit); ` +
    `${cached} of ${mode.cold.length + HOT} ids cached afterwards.`
  );
}

async function countCached(cache: Cache, ids: string[]): Promise<number> {
  let cached = 0;
  for (const id of ids) if ((await cache.get(`video:${id}`)) !== undefined) cached++;
  return cached;
}

/** Only this run's keys leave Redis: they are named by ids no one else has. */
async function cleanUp(mode: Mode): Promise<void> {
  if (mode.cleaned) return;
  for (let start = 0; start < mode.keys.length; start += 500) await mode.cache.delete(...mode.keys.slice(start, start + 500));
  mode.cleaned = true;
}

function rate(batches: Batch[]): { n: number; rps: number; p50: number; p95: number } {
  const latencies = batches.flatMap((batch) => batch.latencies);
  const seconds = batches.reduce((sum, batch) => sum + batch.wallMs, 0) / 1000;
  const { p50, p95 } = summarize(latencies);
  return { n: latencies.length, rps: latencies.length / seconds, p50, p95 };
}

function describe(mode: Mode): string[][] {
  const hit = rate(mode.hit);
  const miss = rate(mode.miss);
  const cells = (variant: string, entry: ReturnType<typeof rate>, versus: string) => [
    mode.name,
    variant,
    String(entry.n),
    entry.rps.toFixed(0),
    ms(entry.p50),
    ms(entry.p95),
    versus,
  ];
  return [cells("hit", hit, `**${ratio(hit.rps, miss.rps)}×**`), cells("miss", miss, "1.00×")];
}

async function main(): Promise<void> {
  const modes: Mode[] = [];
  try {
    for (const name of ["in-process", "Redis"] as const) modes.push(await startMode(name));
    progress(`warm-up, then ${ROUNDS} rounds of ${BATCH} hits and ${BATCH} misses per cache mode, interleaved`);
    const floor: Batch[] = [];
    await measure(modes, floor);
    const floorRate = rate(floor);
    const rows = [
      ...modes.flatMap(describe),
      [
        "(HTTP floor)",
        "GET /health/live",
        String(floorRate.n),
        floorRate.rps.toFixed(0),
        ms(floorRate.p50),
        ms(floorRate.p95),
        "—",
      ],
    ];
    const checks: string[] = [];
    for (const mode of modes) checks.push(await verify(mode));
    const first = modes[0];
    const facts = machineFacts({ database: first ? await serverVersion(first.db.url) : "?", redis: REDIS_URL });
    process.stdout.write(report(rows, checks, facts));
  } finally {
    for (const mode of modes) {
      await cleanUp(mode).catch(() => undefined);
      await mode.api.close(); // idempotent: verify() may have closed it already
      await mode.db.drop();
    }
  }
}

function report(rows: string[][], checks: string[], facts: string): string {
  return `## videos.get: cache hit vs cache miss

Command: \`${benchCommand("videos-get-cache.ts")}\`

${facts}

Setup: the real API in-process (\`startApi\`, NODE_ENV=production, LOG_LEVEL=silent) twice, side by side:
one with the in-process cache, one with Redis (\`REDIS_URL\`), each on its own scratch PostgreSQL database
where a new user owns ${HOT + WARM_MISSES + ROUNDS * BATCH} live videos seeded in SQL (so nothing is cached by creation).
**Hit** = GETs cycling over ${HOT} ids read twice during warm-up; **miss** = the first GET ever of an id
(${ROUNDS * BATCH} distinct ids per mode, each read once). ${ROUNDS} rounds; each round runs five batches of ${BATCH}
requests (2 modes × hit/miss, plus \`GET /health/live\` as the floor of the HTTP stack and client) in a rotated order, each batch driven by ${CONCURRENCY} concurrent \`fetch\` loops.
Throughput = requests / summed batch wall time. Client, API and PostgreSQL share the machine's cores,
so the client's own cost caps both rates.

${table(["cache", "variant", "requests", "req/s", "p50 ms", "p95 ms", "hit / miss throughput"], rows)}

Checks that hits were hits and misses were misses:

${checks.join("\n")}

**Target:** none set (informational). Every request also authenticates its Bearer token, which reads
the user through the same cache (a hit in both variants).
`;
}

await main();
