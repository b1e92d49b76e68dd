/**
 * What Reelbase's request path (express, middleware, tRPC, DI, auth, logging, cache) costs next to
 * the hand-written servers it replaces, measured side by side in one run:
 *
 *   npx tsx bench/request-path.ts [--rounds N] [--duration S] [--connections N] [--profile | --profile-only]
 *                                 [--only key,key…]
 *
 * Every server is a process of its own pinned to core 0; the load generator (autocannon) is a
 * process of its own pinned to core 1. Rounds are interleaved (every variant once per round, after
 * a warm-up round), so a noisy neighbour hits all variants alike; ratios are taken within a round.
 * Reelbase runs as `npm start` would in production: PostgreSQL, Redis cache and event bus, access
 * logs at info (drained from a pipe). `--profile` also writes a CPU profile of the API per
 * Reelbase variant under bench/profiles/ (git-ignored) and prints where its time went. `--only`
 * (e.g. `--only trpc,miss`) runs just those variants and skips the transaction count: for trying a
 * change quickly, not for the record.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { REPO_ROOT, startChildApi, type ChildApi } from "./lib/child-api.js";
import type { LoadResult } from "./lib/load-generator.js";
import { load, pin, waitForFile } from "./lib/pinned-processes.js";
import { report } from "./lib/request-path-report.js";
import { seedVideos } from "./lib/list-sql.js";
import { progress } from "./lib/markdown.js";
import { summarizeProfile } from "./lib/profile-summary.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { BENCH_ENV } from "./lib/in-process-api.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";
import { startListeningChild } from "./lib/listening-child.js";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 3);
const DURATION_SECONDS = flag("--duration", 5);
const CONNECTIONS = flag("--connections", 16);
const PROFILE_ONLY = process.argv.includes("--profile-only");
const PROFILE = PROFILE_ONLY || process.argv.includes("--profile");
const ONLY = (() => {
  const index = process.argv.indexOf("--only");
  return index >= 0 ? new Set((process.argv[index + 1] ?? "").split(",")) : undefined;
})();
const BASELINES = ["raw", "raw-pg", "express-prisma", "trpc-bare", "trpc-ours"] as const;
const SERVER_CORE = "0";
const LOAD_CORE = "1";
const REDIS_DB = 7;
const REDIS_URL = `${process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379"}/${REDIS_DB}`;
const SEEDED_VIDEOS = 100_000;
/** Requests per Reelbase variant in the pass that counts database transactions. */
const COUNTED_REQUESTS = 2_000;
/** PostgreSQL 15 flushes an idle backend's counters within PGSTAT_IDLE_INTERVAL (10 s). */
const STATS_SETTLE_MS = 11_000;
const HOT_VIDEOS = 100;
const PROFILE_DIR = path.join(REPO_ROOT, "bench", "profiles");

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

type ServerName = "raw" | "raw-pg" | "express-prisma" | "trpc-bare" | "trpc-ours" | "reelbase" | "reelbase-off";

/**
 * Rate limits and metrics on (the default), with budgets no round can spend, so every call pays for
 * the check but none is refused; or both switched off by configuration: what they cost is the ratio.
 */
const SWITCHES = {
  on: { RATE_LIMIT_CALLER_POINTS: "1000000000", RATE_LIMIT_IP_POINTS: "1000000000" },
  off: { RATE_LIMITS: "off", METRICS: "off" },
} as const;

interface Variant {
  key: string;
  label: string;
  server: ServerName;
  paths: (round: number) => string[];
  headers?: Record<string, string>;
  /** Runs before each measured window of this variant. */
  before?: () => Promise<void>;
}

async function startBaseline(variant: Exclude<ServerName, "reelbase">, databaseUrl: string): Promise<Server> {
  const server = await startListeningChild("bench/lib/baselines/servers.ts", [variant, "0", databaseUrl], variant);
  await pin(server.pid, SERVER_CORE);
  return { url: server.url, pid: server.pid, stop: server.stop };
}

async function startReelbase(
  databaseUrl: string,
  profileFile?: string,
  switches: keyof typeof SWITCHES = "on",
): Promise<ChildApi> {
  const nodeArgs = profileFile ? ["--import", "./bench/lib/cpu-profile-probe.ts"] : [];
  const api = await startChildApi(
    {
      ...BENCH_ENV,
      ...SWITCHES[switches],
      ...(profileFile ? { CPU_PROFILE_FILE: profileFile } : {}),
      LOG_LEVEL: "info",
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: `bench-request-path-${process.pid}-${switches}`,
    },
    120_000,
    nodeArgs,
  );
  await pin(api.pid, SERVER_CORE);
  return api;
}

/** Transactions committed or rolled back in the scratch database so far (every Prisma query outside a unit of work is one). */
async function transactionsSoFar(url: string, name: string): Promise<number> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ n: string }>("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1", [name]),
  );
  return Number(rows[0]?.n ?? 0);
}

async function main(): Promise<void> {
  await pin(process.pid, LOAD_CORE);
  progress("creating a scratch database");
  const db = await createScratchDatabase("request_path");
  const databaseName = new URL(db.url).pathname.slice(1);
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
  const servers: Partial<Record<ServerName, Server>> = {};
  try {
    if (PROFILE) {
      await rm(PROFILE_DIR, { recursive: true, force: true });
      await mkdir(PROFILE_DIR, { recursive: true });
    }
    const api = await startReelbase(db.url);
    servers.reelbase = api;
    const client = new TrpcHttp(api.url);
    const session = await registerUser(client, "request-path");
    progress(`seeding ${SEEDED_VIDEOS} videos`);
    await seedVideos(db.url, session.user.id, SEEDED_VIDEOS);
    const { rows } = await withClient(db.url, (pg) =>
      pg.query<{ id: string }>("SELECT id FROM videos WHERE deleted_at IS NULL ORDER BY md5(id::text)"),
    );
    const ids = rows.map((row) => row.id);
    const hot = ids.slice(0, HOT_VIDEOS);
    const cold = ids.slice(HOT_VIDEOS);
    // Fresh ids for the warm-up, each round and the counting pass, for each of the two miss variants.
    const missSlice = Math.floor(cold.length / (2 * (ROUNDS + 2)));
    const offMisses = cold.slice((ROUNDS + 2) * missSlice);

    const bearer = { authorization: `Bearer ${session.accessToken}` };
    const trpcGet = (id: string) => `/trpc/videos.get?input=${encodeURIComponent(JSON.stringify({ id }))}`;
    const allVariants: Variant[] = [
      { key: "raw", label: "raw `node:http`, constant JSON", server: "raw", paths: () => ["/"] },
      {
        key: "raw-pg",
        label: "raw `node:http` + `pg` Pool, the videos.get SELECT",
        server: "raw-pg",
        paths: () => hot.map((id) => `/?id=${id}`),
      },
      {
        key: "express",
        label: "express 5 + Prisma, same query, no auth",
        server: "express-prisma",
        paths: () => hot.map((id) => `/videos/${id}`),
      },
      {
        key: "trpc",
        label: "bare tRPC 11 router on express, zod in/out, same query, no auth",
        server: "trpc-bare",
        paths: () => hot.map(trpcGet),
      },
      {
        key: "trpc-ours",
        label: "the same bare router served by Reelbase's tRPC handler (`server/src/http/trpc-handler.ts`)",
        server: "trpc-ours",
        paths: () => hot.map(trpcGet),
      },
      {
        key: "hit",
        label: "Reelbase `videos.get`, cache hit, bearer",
        server: "reelbase",
        paths: () => hot.map(trpcGet),
        headers: bearer,
      },
      {
        key: "miss",
        label: "Reelbase `videos.get`, cache miss, bearer",
        server: "reelbase",
        // Each round reads videos no round read before, from a flushed cache: every request misses.
        paths: (round) => cold.slice(round * missSlice, (round + 1) * missSlice).map(trpcGet),
        headers: bearer,
        before: async () => void (await redis.flushdb()),
      },
      { key: "me", label: "Reelbase `auth.me`, bearer", server: "reelbase", paths: () => ["/trpc/auth.me"], headers: bearer },
      { key: "live", label: "Reelbase `GET /health/live`", server: "reelbase", paths: () => ["/health/live"] },
      {
        key: "hit-off",
        label: "the same `videos.get` hit, rate limits and metrics off",
        server: "reelbase-off",
        paths: () => hot.map(trpcGet),
        headers: bearer,
      },
      {
        key: "miss-off",
        label: "the same `videos.get` miss, rate limits and metrics off",
        server: "reelbase-off",
        paths: (round) => offMisses.slice(round * missSlice, (round + 1) * missSlice).map(trpcGet),
        headers: bearer,
        before: async () => void (await redis.flushdb()),
      },
      {
        key: "me-off",
        label: "the same `auth.me`, rate limits and metrics off",
        server: "reelbase-off",
        paths: () => ["/trpc/auth.me"],
        headers: bearer,
      },
      {
        key: "live-off",
        label: "the same `/health/live`, rate limits and metrics off",
        server: "reelbase-off",
        paths: () => ["/health/live"],
      },
    ];
    const variants = allVariants.filter((variant) => !ONLY || ONLY.has(variant.key));
    const baselinesUsed = BASELINES.filter((name) => variants.some((variant) => variant.server === name));
    if (!PROFILE_ONLY) {
      for (const name of baselinesUsed) servers[name] = await startBaseline(name, db.url);
      if (variants.some((variant) => variant.server === "reelbase-off"))
        servers["reelbase-off"] = await startReelbase(db.url, undefined, "off");
    }

    const measure = async (variant: Variant, round: number, seconds: number, amount?: number): Promise<LoadResult> => {
      const server = servers[variant.server];
      if (!server) throw new Error(`${variant.server} is not running`);
      await variant.before?.();
      const paths = variant.paths(round);
      const headers = variant.headers ?? {};
      const result = await load(
        {
          url: server.url,
          paths,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          headers,
          ...(amount ? { amount } : {}),
        },
        LOAD_CORE,
      );
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        const alive = (() => {
          try {
            return process.kill(server.pid, 0);
          } catch {
            return false;
          }
        })();
        throw new Error(
          `${variant.key}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts (server ${alive ? "alive" : "gone"})`,
        );
      }
      if (variant.key.startsWith("miss") && result.total > paths.length)
        throw new Error("miss round outran its fresh ids: seed more videos");
      return result;
    };

    progress("warm-up round");
    for (const variant of variants) if (servers[variant.server]) await measure(variant, ROUNDS, 2);
    const results = new Map<string, LoadResult[]>(variants.map((variant) => [variant.key, []]));
    for (let round = 0; round < (PROFILE_ONLY ? 0 : ROUNDS); round++) {
      for (const variant of variants) {
        const measured = await measure(variant, round, DURATION_SECONDS);
        results.get(variant.key)?.push(measured);
        progress(`round ${round + 1}/${ROUNDS} ${variant.key}: ${Math.round(measured.requestsPerSecond)} req/s`);
      }
    }

    // Database round trips per request, counted with the baselines stopped and one variant at a
    // time, each window closed only after PostgreSQL has published every backend's counters.
    for (const name of BASELINES) {
      await servers[name]?.stop();
      delete servers[name];
    }
    const transactions = new Map<string, number>();
    await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
    for (const variant of variants.filter((candidate) => candidate.server === "reelbase" && !PROFILE_ONLY && !ONLY)) {
      progress(`counting database transactions of ${variant.key}`);
      // Refill what the last miss round flushed, so a hit is counted as a hit.
      await measure(variant, ROUNDS + 1, 60, HOT_VIDEOS);
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const before = await transactionsSoFar(db.url, databaseName);
      const result = await measure(variant, ROUNDS + 1, 60, COUNTED_REQUESTS);
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      // Minus the one SELECT that read `before`.
      transactions.set(variant.key, ((await transactionsSoFar(db.url, databaseName)) - before - 1) / result.total);
    }

    // Profiles come after the measured rounds, one fresh API per Reelbase variant driven alone, so
    // the profiler's own cost never reaches the table.
    const profiles: string[] = [];
    for (const variant of PROFILE ? variants.filter((candidate) => candidate.server === "reelbase") : []) {
      const file = path.join(PROFILE_DIR, `${variant.key}.cpuprofile`);
      await servers.reelbase?.stop();
      const profiled = await startReelbase(db.url, file);
      servers.reelbase = profiled;
      await measure(variant, ROUNDS, 2);
      profiled.child.kill("SIGUSR2");
      await measure(variant, ROUNDS, DURATION_SECONDS);
      profiled.child.kill("SIGUSR2");
      await waitForFile(file);
      await profiled.stop();
      profiles.push(`### Where the API's CPU went: ${variant.label}\n\n${await summarizeProfile(file)}`);
    }

    if (PROFILE_ONLY) {
      process.stdout.write(`${profiles.join("\n\n")}\n`);
      return;
    }
    process.stdout.write(
      [
        report(variants, results, transactions, {
          serverCore: SERVER_CORE,
          loadCore: LOAD_CORE,
          connections: CONNECTIONS,
          rounds: ROUNDS,
          durationSeconds: DURATION_SECONDS,
          database: await serverVersion(db.url),
        }),
        ...profiles,
      ].join("\n\n") + "\n",
    );
  } finally {
    for (const server of Object.values(servers)) await server?.stop();
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
    await db.drop();
  }
}

await main();
