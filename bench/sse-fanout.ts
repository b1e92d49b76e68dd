/**
 * SSE fan-out: N open `jobs.onProgress` streams on one API process (BullMQ mode, PostgreSQL and
 * Redis), the job's progress published by a real worker process. Measures, per event and stream,
 * the time from the worker's publish reaching Redis to the stream's copy arriving, and the API's
 * RSS added per open stream.
 *
 *   npx tsx bench/sse-fanout.ts [--streams N] [--profile]
 *
 * The API runs the esbuild bundle `npm start` runs (bench/lib/child-api.ts `from: "bundle"`), and
 * the worker is `npm run worker`, which runs the bundle too: under tsx, kept function names add ~3 KiB per stream that the
 * shipped server does not have. RSS is read twice: 2 s after the streams open, as the bench always
 * did (it includes the garbage of 1 000 concurrent opens that no major GC has collected yet, 30–39
 * MiB, so it depends on when V8 happens to collect), and after a full GC in the API, which is the
 * figure the target checks. The GC and the heap reading come from a probe preloaded with
 * `--expose-gc`, asked by SIGWINCH, so live memory per stream is also told apart from heap the
 * process grew and keeps. `--heap-snapshot` also writes a heap snapshot with the streams open
 * (bench/profiles/).
 *
 * `--profile` also writes a CPU profile of the API from the worker's start to the last stream's
 * end (bench/profiles/sse-fanout.cpuprofile, git-ignored) and prints where its time went. It runs
 * the API from its sources under tsx instead, so the profile names our files and its probe may be
 * TypeScript; its memory figures are then tsx's, not the bundle's.
 *
 * The streams are opened by a process of their own (bench/lib/sse-subscribers.ts), which also
 * listens on the job's Redis channel to time each publish with the same clock. Targets: p99 ≤ 250 ms
 * with 1 000 streams; RSS per stream ≤ 64 KiB.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeTestVideo } from "../test/support/media-fixtures.js";
import { startWorker, type WorkerProcess } from "../test/support/worker-process.js";
import { readProcMemory, REPO_ROOT, startChildApi } from "./lib/child-api.js";
import { threadCpuSeconds } from "./lib/cpu-time.js";
import { run, waitForFile } from "./lib/pinned-processes.js";
import { summarizeProfile } from "./lib/profile-summary.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { createScratchDatabase, serverVersion } from "./lib/scratch-db.js";
import type { FanoutResult, FanoutSpec } from "./lib/sse-subscribers.js";
import { ms, percentile } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";
import { uploadVideo } from "./lib/upload.js";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const streamsFlag = process.argv.indexOf("--streams");
const STREAMS = streamsFlag >= 0 ? Number(process.argv[streamsFlag + 1]) : 1000;
const PROFILE = process.argv.includes("--profile");
const HEAP_SNAPSHOT = process.argv.includes("--heap-snapshot");
/**
 * Preloaded into the API: on SIGWINCH (ignored by default), two full GCs, then process.memoryUsage()
 * (rss included, and a heap snapshot when asked) written to $MEMORY_PROBE_FILE, renamed into place
 * when complete. Plain JavaScript, as the bundle runs without a TypeScript loader.
 *
 * Why a preloaded probe and not the inspector protocol (`--inspect=127.0.0.1:0`, then
 * `HeapProfiler.collectGarbage` over the DevTools websocket): `node:inspector` cannot attach to
 * another process, Node 20 has no global WebSocket and no websocket client is in node_modules, so
 * that would mean a hand-written websocket client, and an open debugger port on the API. `--import`
 * of a file the bench writes needs no change to server/ and adds only a signal handler, run once
 * per reading while the API is idle.
 *
 * The reading waits 1 s after the GCs before taking memoryUsage(): V8 sweeps and unmaps freed pages
 * on background threads, so RSS read at once still counts part of what the GC freed.
 */
const MEMORY_PROBE = `
import { renameSync, writeFileSync } from "node:fs";
import { writeHeapSnapshot } from "node:v8";
process.on("SIGWINCH", () => {
  const file = process.env.MEMORY_PROBE_FILE;
  globalThis.gc();
  globalThis.gc();
  const immediate = process.memoryUsage().rss;
  setTimeout(() => {
    globalThis.gc();
    const usage = { ...process.memoryUsage(), rssImmediate: immediate };
    if (process.env.HEAP_SNAPSHOT_FILE) writeHeapSnapshot(process.env.HEAP_SNAPSHOT_FILE);
    writeFileSync(file + ".partial", JSON.stringify(usage));
    renameSync(file + ".partial", file);
  }, 1000);
});
`;
/** The bundle `npm start` runs, except with --profile (see the header). */
const API_FROM = PROFILE ? "sources" : "bundle";
const API_SETUP =
  API_FROM === "bundle"
    ? "the esbuild bundle `npm start` runs, as `node --enable-source-maps <build>/main.mjs`"
    : "from its sources under tsx, for --profile";
/** What the memory probe writes: memoryUsage() 1 s after the GCs, and RSS read right after them. */
type ProbeReading = NodeJS.MemoryUsage & { rssImmediate: number };
const PROFILE_FILE = path.join(REPO_ROOT, "bench", "profiles", "sse-fanout.cpuprofile");
const TARGET_P99_MS = 250;
const TARGET_RSS_PER_STREAM = 64 * 1024;
/** The event bus's channel prefix on the wire (server/src/events/redis.event-bus.ts). */
const WIRE_PREFIX = "rb:events:";

/** Starts the subscriber process; resolves its "ready" line, then its result. */
function subscribers(specFile: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/lib/sse-subscribers.ts", specFile], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buffer = "";
  const waiters: ((line: string) => void)[] = [];
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      waiters.push(resolve);
      void exited.then((code) => reject(new Error(`the subscriber process exited (${code}) before answering`)));
    });
  return { nextLine, exited, kill: () => child.kill("SIGKILL") };
}

async function main(): Promise<void> {
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-bench-fanout-"));
  const database = await createScratchDatabase("sse_fanout");
  const facts = machineFacts({ database: await serverVersion(database.url), redis: REDIS_URL, streams: String(STREAMS) });
  const running: { stop(): Promise<void> }[] = [];
  try {
    // Long enough that the worker reports progress for several seconds.
    const clip = await makeTestVideo(sandbox, { seconds: 60, width: 640, height: 360 });
    const env = {
      HOST: "127.0.0.1",
      PORT: "0",
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256-0123456789",
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: `rbbench-${randomUUID().slice(0, 8)}`,
      // One user holds every stream: the per-user budget is not what this measures.
      RATE_LIMITS: "off",
    };
    progress("starting the API");
    await mkdir(path.dirname(PROFILE_FILE), { recursive: true });
    if (PROFILE) await rm(PROFILE_FILE, { force: true });
    const memoryProbe = path.join(sandbox, "memory-probe.mjs");
    const memoryFile = path.join(sandbox, "memory.json");
    await writeFile(memoryProbe, MEMORY_PROBE);
    const api = await startChildApi(
      {
        ...env,
        MEMORY_PROBE_FILE: memoryFile,
        ...(PROFILE ? { CPU_PROFILE_FILE: PROFILE_FILE } : {}),
        ...(HEAP_SNAPSHOT ? { HEAP_SNAPSHOT_FILE: path.join(REPO_ROOT, "bench", "profiles", "sse-fanout.heapsnapshot") } : {}),
      },
      undefined,
      ["--expose-gc", "--import", memoryProbe, ...(PROFILE ? ["--import", "./bench/lib/cpu-profile-probe.ts"] : [])],
      { from: API_FROM },
    );
    /** The API's memoryUsage() after a full GC. */
    const heapAfterGc = async (): Promise<ProbeReading> => {
      await rm(memoryFile, { force: true });
      api.child.kill("SIGWINCH");
      await waitForFile(memoryFile);
      return JSON.parse(await readFile(memoryFile, "utf8")) as ProbeReading;
    };
    running.push(api);
    const client = new TrpcHttp(api.url);
    const session = await registerUser(client, "fanout");
    const videoId = await uploadVideo(client, clip);
    // No worker yet: the job waits QUEUED while the streams open.
    const job = await client.mutation<{ id: string }>("videos.process", { id: videoId, quality: "P360" });

    const specFile = path.join(sandbox, "fanout.json");
    const spec: FanoutSpec = {
      url: api.url,
      jobId: job.id,
      bearer: session.accessToken,
      count: STREAMS,
      redisUrl: REDIS_URL,
      wireChannel: `${WIRE_PREFIX}job:${job.id}`,
      timeoutMs: 180_000,
    };
    await writeFile(specFile, JSON.stringify(spec));
    const before = await readProcMemory(api.pid);
    const heapBefore = await heapAfterGc();
    progress(`opening ${STREAMS} streams`);
    const subs = subscribers(specFile);
    running.push({ stop: async () => void subs.kill() });
    const ready = JSON.parse(await subs.nextLine()) as { ready: number };
    // Let the API settle after the burst of connections before reading its memory.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const open = await readProcMemory(api.pid);
    const heapOpen = await heapAfterGc();
    progress(
      `${ready.ready} streams open; API RSS after the GC ${(heapOpen.rssImmediate / 2 ** 20).toFixed(1)} MiB at once, ${(heapOpen.rss / 2 ** 20).toFixed(1)} MiB 1 s later (before the streams: ${(heapBefore.rssImmediate / 2 ** 20).toFixed(1)} / ${(heapBefore.rss / 2 ** 20).toFixed(1)}); starting the worker`,
    );
    if (PROFILE) api.child.kill("SIGUSR2");
    const cpuBefore = await threadCpuSeconds(api.pid);
    const worker: WorkerProcess = await startWorker(env, 120_000);
    running.push(worker);
    // In a deployment the worker (and its ffmpeg) has machines of its own; here it shares two cores
    // with the API, so it yields to it: what is measured is the API's fan-out, not ffmpeg's appetite.
    await run("renice", ["-n", "19", "-p", String(worker.pid)]);
    const result = JSON.parse(await subs.nextLine()) as FanoutResult;
    // The event loop's own CPU time: what the fan-out costs, whatever else the machine is doing.
    const cpuSeconds = (await threadCpuSeconds(api.pid)) - cpuBefore;
    let profile = "";
    if (PROFILE) {
      api.child.kill("SIGUSR2");
      await waitForFile(PROFILE_FILE);
      profile = `\n### Where the API's CPU went (worker start → last stream end)\n\n${await summarizeProfile(PROFILE_FILE)}\n`;
    }

    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const perStream = (open.rssBytes - before.rssBytes) / Math.max(1, ready.ready);
    const perStreamAfterGc = (heapOpen.rss - heapBefore.rss) / Math.max(1, ready.ready);
    const livePerStream =
      (heapOpen.heapUsed + heapOpen.external - heapBefore.heapUsed - heapBefore.external) / Math.max(1, ready.ready);
    const lines = [
      "## SSE fan-out: job progress to many open streams",
      "",
      `Command: \`${benchCommand("sse-fanout.ts")}\``,
      "",
      facts,
      `- setup: one API process (PostgreSQL, Redis cache, event bus and BullMQ; ${API_SETUP}) and one \`npm run worker\` process (at nice 19, as if on a machine of its own) transcoding a 60 s 640×360 clip at P360; the streams are opened by a separate process (\`bench/lib/sse-subscribers.ts\`) that also listens on the job's Redis channel, so publish and receipt are timed with one clock`,
      "",
      table(
        ["measure", "value"],
        [
          ["streams open (first event received)", String(ready.ready)],
          ["events published by the worker", String(result.published)],
          [
            "stream copies received (of published events)",
            `${result.received} (${(result.received / Math.max(1, result.published * ready.ready)).toFixed(3)} of all)`,
          ],
          ["streams that ended with the job / failed", `${result.ended} / ${result.errors}`],
          [
            "publish → receipt p50 / p99 / max (ms)",
            `${ms(percentile(sorted, 50))} / ${ms(p99)} / ${ms(sorted.at(-1) ?? Number.NaN)}`,
          ],
          [
            "API RSS before / 2 s after opening the streams (MiB)",
            `${(before.rssBytes / 2 ** 20).toFixed(1)} / ${(open.rssBytes / 2 ** 20).toFixed(1)}`,
          ],
          [
            "API RSS after a full GC, before / with the streams open (MiB)",
            `${(heapBefore.rss / 2 ** 20).toFixed(1)} / ${(heapOpen.rss / 2 ** 20).toFixed(1)}`,
          ],
          [
            "API event-loop CPU from the worker's start to the last stream's end (s) / per stream copy received (µs)",
            `${cpuSeconds.toFixed(2)} / ${((cpuSeconds * 1e6) / Math.max(1, result.received)).toFixed(0)}`,
          ],
          ["RSS added per stream, 2 s after opening (KiB)", (perStream / 1024).toFixed(1)],
          ["RSS added per stream, after a full GC (KiB)", (perStreamAfterGc / 1024).toFixed(1)],
          [
            "API heap used + external after a full GC, before / with the streams open (MiB)",
            `${((heapBefore.heapUsed + heapBefore.external) / 2 ** 20).toFixed(1)} / ${((heapOpen.heapUsed + heapOpen.external) / 2 ** 20).toFixed(1)}`,
          ],
          ["live heap added per stream (KiB)", (livePerStream / 1024).toFixed(1)],
        ],
      ),
      "",
      table(
        ["target", "measured", "needed", "met"],
        [
          ["p99 publish → receipt", `${ms(p99)} ms`, `≤ ${TARGET_P99_MS} ms`, p99 <= TARGET_P99_MS ? "yes" : "no"],
          [
            "RSS per stream, after a full GC",
            `${(perStreamAfterGc / 1024).toFixed(1)} KiB`,
            `≤ ${TARGET_RSS_PER_STREAM / 1024} KiB`,
            perStreamAfterGc <= TARGET_RSS_PER_STREAM ? "yes" : "no",
          ],
          // Shown, not judged: it counts garbage of the opening burst that no major GC has collected yet.
          ["(RSS per stream, 2 s after opening)", `${(perStream / 1024).toFixed(1)} KiB`, "not a target", "–"],
        ],
      ),
    ];
    process.stdout.write(`${lines.join("\n")}\n${profile}`);
  } finally {
    for (const process of running.reverse()) await process.stop().catch(() => undefined);
    await database.drop();
    await rm(sandbox, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
