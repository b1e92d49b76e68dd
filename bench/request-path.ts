/**
 * What Reelbase's request path (express, middleware, tRPC, DI, auth, logging, cache) costs next to
 * the hand-written servers it replaces, measured side by side in one run:
 *
 *   npx tsx bench/request-path.ts [--rounds N] [--duration S] [--connections N] [--profile | --profile-only]
 *
 * Every server is a process of its own pinned to core 0; the load generator (autocannon) is a
 * process of its own pinned to core 1. Rounds are interleaved (every variant once per round, after
 * a warm-up round), so a noisy neighbour hits all variants alike; ratios are taken within a round.
 * Reelbase runs as `npm start` would in production: PostgreSQL, Redis cache and event bus, access
 * logs at info (drained from a pipe). `--profile` also writes a CPU profile of the API per
 * Reelbase variant under bench/profiles/ (git-ignored) and prints where its time went.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { REPO_ROOT, startChildApi, type ChildApi } from "./lib/child-api.js";
import type { LoadResult, LoadSpec } from "./lib/load-generator.js";
import { seedVideos } from "./lib/list-sql.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { summarizeProfile } from "./lib/profile-summary.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { BENCH_ENV } from "./lib/in-process-api.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 3);
const DURATION_SECONDS = flag("--duration", 5);
const CONNECTIONS = flag("--connections", 16);
const PROFILE_ONLY = process.argv.includes("--profile-only");
const PROFILE = PROFILE_ONLY || process.argv.includes("--profile");
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

type ServerName = "raw" | "raw-pg" | "express-prisma" | "trpc-bare" | "trpc-ours" | "reelbase";

interface Variant {
  key: string;
  label: string;
  server: ServerName;
  paths: (round: number) => string[];
  headers?: Record<string, string>;
  /** Runs before each measured window of this variant. */
  before?: () => Promise<void>;
}

/** Pins every thread of a running process (threads it starts later inherit it). */
async function pin(pid: number, core: string): Promise<void> {
  await run("taskset", ["-a", "-cp", core, String(pid)]);
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

async function startBaseline(variant: Exclude<ServerName, "reelbase">, databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/lib/baselines/servers.ts", variant, "0", databaseUrl], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`${variant} exited ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid ?? 0;
  await pin(pid, SERVER_CORE);
  return {
    url,
    pid,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function startReelbase(databaseUrl: string, profileFile?: string): Promise<ChildApi> {
  const nodeArgs = profileFile ? ["--import", "./bench/lib/cpu-profile-probe.ts"] : [];
  const api = await startChildApi(
    {
      ...BENCH_ENV,
      ...(profileFile ? { CPU_PROFILE_FILE: profileFile } : {}),
      LOG_LEVEL: "info",
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: `bench-request-path-${process.pid}`,
    },
    120_000,
    nodeArgs,
  );
  await pin(api.pid, SERVER_CORE);
  return api;
}

async function waitForFile(file: string): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (existsSync(file)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no profile at ${file}`);
}

async function load(spec: LoadSpec): Promise<LoadResult> {
  const file = path.join(tmpdir(), `reelbase-load-${process.pid}.json`);
  await writeFile(file, JSON.stringify(spec));
  try {
    const stdout = await run("taskset", [
      "-c",
      LOAD_CORE,
      process.execPath,
      "--import",
      "tsx",
      "bench/lib/load-generator.ts",
      file,
    ]);
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LoadResult;
  } finally {
    await rm(file, { force: true });
  }
}

/** Transactions committed or rolled back in the scratch database so far (every Prisma query outside a unit of work is one). */
async function transactionsSoFar(url: string, name: string): Promise<number> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ n: string }>("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1", [name]),
  );
  return Number(rows[0]?.n ?? 0);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

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
    // Fresh ids for the warm-up, each round and the counting pass.
    const missSlice = Math.floor(cold.length / (ROUNDS + 2));
    if (!PROFILE_ONLY) {
      for (const name of BASELINES) servers[name] = await startBaseline(name, db.url);
    }

    const bearer = { authorization: `Bearer ${session.accessToken}` };
    const trpcGet = (id: string) => `/trpc/videos.get?input=${encodeURIComponent(JSON.stringify({ id }))}`;
    const variants: Variant[] = [
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
    ];

    const measure = async (variant: Variant, round: number, seconds: number, amount?: number): Promise<LoadResult> => {
      const server = servers[variant.server];
      if (!server) throw new Error(`${variant.server} is not running`);
      await variant.before?.();
      const paths = variant.paths(round);
      const headers = variant.headers ?? {};
      const result = await load({
        url: server.url,
        paths,
        connections: CONNECTIONS,
        durationSeconds: seconds,
        headers,
        ...(amount ? { amount } : {}),
      });
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
      if (variant.key === "miss" && result.total > paths.length)
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
    for (const variant of variants.filter((candidate) => candidate.server === "reelbase" && !PROFILE_ONLY)) {
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
    process.stdout.write([report(variants, results, transactions, await serverVersion(db.url)), ...profiles].join("\n\n") + "\n");
  } finally {
    for (const server of Object.values(servers)) await server?.stop();
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
    await db.drop();
  }
}

function report(
  variants: Variant[],
  results: Map<string, LoadResult[]>,
  transactions: Map<string, number>,
  database: string,
): string {
  const rps = (key: string) => (results.get(key) ?? []).map((measured) => measured.requestsPerSecond);
  const raw = rps("raw");
  const ratioPerRound = (a: string, b: string) => rps(a).map((value, round) => value / (rps(b)[round] ?? NaN));
  const rows = variants.map((variant) => {
    const measured = results.get(variant.key) ?? [];
    const values = rps(variant.key);
    const p99 = median(measured.map((m) => m.latencyP99Ms));
    const counted = transactions.get(variant.key);
    // A baseline does one query per request by construction (none for the constant answer).
    const db =
      counted !== undefined ? counted.toFixed(2) : variant.server === "raw" ? "0" : variant.server === "reelbase" ? "?" : "1";
    return [
      variant.label,
      Math.round(median(values)).toLocaleString("en-US"),
      `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`,
      String(p99),
      median(values.map((value, round) => value / (raw[round] ?? NaN))).toFixed(3),
      db,
    ];
  });
  const targets: [string, string, string, number][] = [
    ["P1a", "`videos.get` hit ÷ bare tRPC", "hit/trpc", 1.5],
    ["P1a", "`videos.get` hit ÷ express + Prisma", "hit/express", 0.8],
    ["P1b", "`videos.get` miss ÷ bare tRPC", "miss/trpc", 1.0],
    ["P1c", "`auth.me` ÷ bare tRPC", "me/trpc", 1.5],
    ["P1d", "`/health/live` ÷ raw `node:http`", "live/raw", 0.5],
  ];
  const targetRows = targets.map(([id, label, pair, target]) => {
    const [a = "", b = ""] = pair.split("/");
    const value = median(ratioPerRound(a, b));
    return [id, label, value.toFixed(2), `≥ ${target}`, value >= target ? "yes" : "**no**"];
  });
  // No target: what Reelbase's tRPC handler alone changes, on the same bare router.
  targetRows.push([
    "—",
    "bare router: Reelbase's tRPC handler ÷ tRPC's express adapter",
    median(ratioPerRound("trpc-ours", "trpc")).toFixed(2),
    "—",
    "—",
  ]);
  return [
    "## Request path: Reelbase vs hand-written baselines",
    "",
    `Command: \`${benchCommand("request-path.ts")}\``,
    "",
    machineFacts({
      // This process is pinned to one core by now; the machine has more.
      nproc: String(cpus().length),
      database: database,
      setup: `each server its own process pinned to core ${SERVER_CORE}; autocannon in its own process pinned to core ${LOAD_CORE}; ${CONNECTIONS} connections; ${ROUNDS} interleaved rounds of ${DURATION_SECONDS} s after a 2 s warm-up round`,
      reelbase: "NODE_ENV=production, PostgreSQL, Redis cache and event bus, LOG_LEVEL=info (access lines drained from a pipe)",
    }),
    "",
    table(["variant", "req/s (median)", "min–max", "p99 ms", "÷ raw", "DB transactions / request"], rows),
    "",
    "Targets (ratio of the two variants within each round, median over rounds):",
    "",
    table(["target", "ratio", "measured", "needed", "met"], targetRows),
  ].join("\n");
}

await main();
