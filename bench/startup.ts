/**
 * Time from `npm start` to a ready API, and its idle memory: the real command, spawned through npm
 * (npm's own start-up counts), on the embedded defaults with a fresh PGlite folder (deleted before
 * each round) and a warm one (kept), plus PostgreSQL (a scratch database) for reference.
 *
 *   npm run bench -- startup [--rounds N] [--baseline DIR]
 *
 * "Ready" is the first 200 from GET /health/ready, polled every 20 ms from the spawn. Idle RSS is
 * VmRSS of the server's own node process (the deepest descendant of npm running the entry script) 5 s after
 * ready; the tree column adds npm, the shell and any launcher process. Variants run interleaved in a
 * rotating order, after one unmeasured start of each warm variant (start bundle or tsx transform cache, warm folder,
 * migrated scratch database). `--baseline DIR` also runs `npm start` in another checkout (e.g. an
 * export of an older commit with this one's node_modules linked in) in the same rounds, for a
 * before/after comparison on the same machine at the same time.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { readProcMemory, REPO_ROOT } from "./lib/child-api.js";
import { defaultCacheDir } from "../scripts/start-bundle.mjs";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { ADMIN_DATABASE_URL, createScratchDatabase, serverVersion, type ScratchDatabase } from "./lib/scratch-db.js";
import { mib, ms } from "./lib/stats.js";
import { probePostgres } from "../test/support/services.js";

const POLL_MS = 20;
const IDLE_MS = 5_000;
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const ROUNDS = Math.max(3, Number(flag("rounds") ?? 5));
const BASELINE_DIR = flag("baseline");

type Backend = "PGlite, fresh folder" | "PGlite, warm folder" | "PGlite, warm folder, sources changed" | "PostgreSQL";

interface Variant {
  checkout: { label: string; dir: string };
  backend: Backend;
  env: () => Promise<Record<string, string>>;
}

interface Round {
  readyMs: number;
  /** CPU time (user + system, all threads) of npm and everything under it when ready answered 200. */
  cpuMs: number;
  listeningMs: number | undefined;
  serverRssBytes: number;
  treeRssBytes: number;
  exitCode: number | null;
}

const HEADER = [
  "checkout",
  "database",
  "rounds",
  "ready median s",
  "min s",
  "max s",
  "listening median s",
  "CPU to ready median s",
  "idle RSS server MiB",
  "idle RSS tree MiB",
];

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Direct children of a process, from /proc (Linux ≥ 3.5). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function descendants(pid: number): Promise<{ pid: number; depth: number }[]> {
  const found: { pid: number; depth: number }[] = [];
  const walk = async (parent: number, depth: number) => {
    for (const child of await childrenOf(parent)) {
      found.push({ pid: child, depth });
      await walk(child, depth + 1);
    }
  };
  await walk(pid, 1);
  return found;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

/** utime + stime of a process and of its children it has waited for, in ms. */
async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Fields after the command name (which may contain spaces) start at field 3: utime is 14, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0) * TICK_MS;
}

/** Entry scripts of `npm start`: the bundling launcher now, main.ts itself in older checkouts (tsx). */
const SERVER_ENTRIES = ["scripts/start.mjs", "server/src/main.ts"];

/** The API's own process: the deepest node descendant whose command line names a server entry. */
async function serverPid(npmPid: number): Promise<number | undefined> {
  const candidates: { pid: number; depth: number }[] = [];
  for (const proc of await descendants(npmPid)) {
    const cmdline = await readFile(`/proc/${proc.pid}/cmdline`, "utf8").catch(() => "");
    const args = cmdline.split("\0");
    if (path.basename(args[0] ?? "") === "node" && args.some((arg) => SERVER_ENTRIES.some((entry) => arg.endsWith(entry))))
      candidates.push(proc);
  }
  return candidates.sort((a, b) => b.depth - a.depth)[0]?.pid;
}

async function waitReady(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`npm start exited (${child.exitCode ?? child.signalCode})`);
    if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`not ready after ${START_TIMEOUT_MS} ms`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (ok) return performance.now() - started;
    await sleep(POLL_MS);
  }
}

/**
 * SIGTERM to the server's node process, as a supervisor or Ctrl+C would deliver it, then npm must exit 0
 * once the server has closed (PGlite must be closed before the next warm start). The whole process group
 * gets SIGKILL if anything is still there after 15 s.
 */
async function stop(child: ChildProcess, server: number | undefined): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const group = -(child.pid ?? 0);
  const kill = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  kill(server ?? group, "SIGTERM");
  const timer = setTimeout(() => kill(group, "SIGKILL"), STOP_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function startOnce(variant: Variant): Promise<Round> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    PORT: String(port),
    LOG_LEVEL: "info",
    ...(await variant.env()),
  };
  const started = performance.now();
  const child = spawn("npm", ["start"], { cwd: variant.checkout.dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  let listeningMs: number | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (listeningMs === undefined && output.includes("listening on")) listeningMs = performance.now() - started;
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  try {
    const readyMs = await waitReady(`http://127.0.0.1:${port}/health/ready`, child, started);
    let cpuMs = await cpuTimeMs(child.pid ?? 0);
    for (const proc of await descendants(child.pid ?? 0)) cpuMs += await cpuTimeMs(proc.pid);
    await sleep(IDLE_MS);
    const pid = await serverPid(child.pid ?? 0);
    if (pid === undefined) throw new Error("could not find the server's node process under npm");
    const serverRssBytes = (await readProcMemory(pid)).rssBytes;
    let treeRssBytes = (await readProcMemory(child.pid ?? 0)).rssBytes;
    for (const proc of await descendants(child.pid ?? 0))
      treeRssBytes += (await readProcMemory(proc.pid).catch(() => ({ rssBytes: 0 }))).rssBytes;
    const exitCode = await stop(child, pid);
    if (exitCode !== 0) throw new Error(`npm start exited with ${exitCode ?? child.signalCode} after SIGTERM to the server`);
    return { readyMs, cpuMs, listeningMs, serverRssBytes, treeRssBytes, exitCode };
  } catch (error) {
    await stop(child, await serverPid(child.pid ?? 0));
    throw new Error(`${variant.checkout.label}, ${variant.backend}: ${(error as Error).message}\n${output.slice(-4000)}`, {
      cause: error,
    });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(2);

function gitLabel(dir: string): string {
  try {
    return execFileSync("git", ["-C", dir, "log", "-1", "--format=%h"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return path.basename(dir);
  }
}

async function main(): Promise<void> {
  const uptimeBefore = execFileSync("uptime", { encoding: "utf8" }).trim();
  const factsAtStart = machineFacts(); // date and load average when the run starts, not when it ends
  const work = await mkdtemp(path.join(tmpdir(), "reelbase-startup-"));
  const scratch: ScratchDatabase[] = [];
  try {
    const checkouts = [{ label: `this checkout (${gitLabel(REPO_ROOT)})`, dir: REPO_ROOT }];
    if (BASELINE_DIR) {
      const dir = path.resolve(BASELINE_DIR);
      if (!existsSync(path.join(dir, "package.json"))) throw new Error(`--baseline ${dir}: no package.json there`);
      checkouts.unshift({ label: `baseline (${gitLabel(dir)})`, dir });
    }
    const postgres = await probePostgres(ADMIN_DATABASE_URL);
    if (!postgres) progress(`PostgreSQL not reachable at ${ADMIN_DATABASE_URL}: its rows are skipped`);

    const variants: Variant[] = [];
    for (const [index, checkout] of checkouts.entries()) {
      const base = path.join(work, String(index));
      variants.push({
        checkout,
        backend: "PGlite, fresh folder",
        env: async () => {
          await rm(path.join(base, "fresh"), { recursive: true, force: true });
          return { PGLITE_DATA_DIR: path.join(base, "fresh", "pg"), LOCAL_STORAGE_DIR: path.join(base, "fresh", "objects") };
        },
      });
      variants.push({
        checkout,
        backend: "PGlite, warm folder",
        env: async () => ({
          PGLITE_DATA_DIR: path.join(base, "warm", "pg"),
          LOCAL_STORAGE_DIR: path.join(base, "warm", "objects"),
        }),
      });
      // The first start after an edit rebuilds the start bundle (scripts/start-bundle.mjs): forget the
      // last build's stamp so the launcher sees changed inputs. Checkouts from before the launcher have no stamp.
      if (existsSync(path.join(checkout.dir, "scripts", "start-bundle.mjs"))) {
        variants.push({
          checkout,
          backend: "PGlite, warm folder, sources changed",
          env: async () => {
            await rm(path.join(defaultCacheDir(checkout.dir), "stamp.json"), { force: true });
            return { PGLITE_DATA_DIR: path.join(base, "warm", "pg"), LOCAL_STORAGE_DIR: path.join(base, "warm", "objects") };
          },
        });
      }
      if (postgres) {
        const database = await createScratchDatabase("startup");
        scratch.push(database);
        variants.push({
          checkout,
          backend: "PostgreSQL",
          env: async () => ({ DATABASE_URL: database.url, LOCAL_STORAGE_DIR: path.join(base, "pg-objects") }),
        });
      }
    }

    // One unmeasured start of everything that is meant to be warm.
    for (const variant of variants.filter((v) => v.backend !== "PGlite, fresh folder")) {
      progress(`warm-up: ${variant.checkout.label}, ${variant.backend}`);
      await startOnce(variant);
    }
    const results = new Map<Variant, Round[]>(variants.map((variant) => [variant, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
      for (const variant of order) {
        const result = await startOnce(variant);
        results.get(variant)?.push(result);
        progress(
          `round ${round + 1}/${ROUNDS} ${variant.checkout.label}, ${variant.backend}: ready ${ms(result.readyMs)} ms, ` +
            `CPU ${ms(result.cpuMs)} ms, ` +
            `server RSS ${mib(result.serverRssBytes)} MiB (load ${loadavg()[0]?.toFixed(2)})`,
        );
      }
    }
    const uptimeAfter = execFileSync("uptime", { encoding: "utf8" }).trim();
    const dbVersion = postgres && scratch[0] ? await serverVersion(scratch[0].url) : "not reachable (skipped)";

    const rows = variants.map((variant) => {
      const rounds = results.get(variant) ?? [];
      const ready = rounds.map((r) => r.readyMs);
      const listening = rounds.flatMap((r) => (r.listeningMs === undefined ? [] : [r.listeningMs]));
      return [
        variant.checkout.label,
        variant.backend,
        String(rounds.length),
        `**${seconds(median(ready))}**`,
        seconds(Math.min(...ready)),
        seconds(Math.max(...ready)),
        seconds(median(listening)),
        seconds(median(rounds.map((r) => r.cpuMs))),
        mib(median(rounds.map((r) => r.serverRssBytes))),
        mib(median(rounds.map((r) => r.treeRssBytes))),
      ];
    });
    const perRound = variants.map(
      (variant) =>
        `- ${variant.checkout.label}, ${variant.backend}: ${(results.get(variant) ?? []).map((r) => seconds(r.readyMs)).join(", ")} s`,
    );
    const nodeModules = await readdir(path.join(REPO_ROOT, "node_modules")).then((names) => names.length);

    process.stdout.write(`## Start-up: \`npm start\` to ready, and idle memory

Command: \`${benchCommand("startup.ts")}\`

${factsAtStart}
- load average (1 / 5 min) at end: ${loadavg()
      .slice(0, 2)
      .map((l) => l.toFixed(2))
      .join(" / ")}
- database: ${dbVersion}
- \`uptime\` before: \`${uptimeBefore}\`
- \`uptime\` after: \`${uptimeAfter}\`

Setup: \`npm start\` spawned through npm (${nodeModules} top-level packages installed) in its own process group,
with only PATH, HOME, PORT (a free port), LOG_LEVEL=info and the variant's variables set: \`PGLITE_DATA_DIR\` and
\`LOCAL_STORAGE_DIR\` in a temp folder, deleted before each round for the fresh folder and kept for the warm one;
\`DATABASE_URL\` of a scratch database for PostgreSQL. "Sources changed" is the warm folder with the start bundle's stamp
deleted before each round, so \`npm start\` first rebuilds the bundle, as the first start after an edit does. **Ready** = spawn → first 200 from \`GET /health/ready\`,
polled every ${POLL_MS} ms; "listening" = spawn → the log line. "CPU to ready" = user + system time of every process
in the tree (all threads) at that moment: on a shared machine it moves much less with other load than wall time does. Idle RSS: ${IDLE_MS / 1000} s after ready, VmRSS of the
server's node process, and of the whole tree (npm, sh and any launcher). One unmeasured start of each warm variant
first, then ${ROUNDS} rounds, variants in a rotating order; SIGTERM to the server process after each start (npm must then exit 0).

${table(HEADER, rows)}

Ready times per round, in order:

${perRound.join("\n")}
`);
  } finally {
    await Promise.all(scratch.map((database) => database.drop().catch(() => undefined)));
    await rm(work, { recursive: true, force: true });
  }
}

await main();
