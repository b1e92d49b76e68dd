/**
 * Local multipart part uploads: the API's signed part URLs (`PUT /files/_multipart/<id>/<n>`) against a
 * plain node:http server that streams the same bytes to a file, side by side on the same disk.
 *
 *   npx tsx bench/multipart-upload.ts [--parts 16] [--parallel 4] [--rounds 5]
 *
 * The API and the baselines are child processes; this process is the client. Each round PUTs the same
 * parts (`--parallel` at a time) to each target in turn, the order rotated every round.
 */
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT, startChildApi, type ChildApi } from "./lib/child-api.js";
import { processCpuSeconds } from "./lib/cpu-time.js";
import { waitForFile } from "./lib/pinned-processes.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { mib } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const TARGET_RATIO = 0.8;
const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const PARTS = flag("parts", 16);
const PARALLEL = flag("parallel", 4);
const ROUNDS = flag("rounds", 5);
const PUT_TIMEOUT_MS = 120_000;
/** `--profile <file>`: after the measured rounds, a CPU profile of the API over two more of its rounds. */
const profileIndex = process.argv.indexOf("--profile");
const PROFILE_FILE = profileIndex >= 0 ? path.resolve(process.argv[profileIndex + 1] ?? "multipart.cpuprofile") : undefined;

interface SignedPart {
  partNumber: number;
  url: string;
}

interface Target {
  name: string;
  /** The server process, whose CPU time a round costs. */
  pid: number;
  /** The URLs of one round's parts, made fresh each round (a new upload session for the API). */
  prepare(): Promise<SignedPart[]>;
  /** Checks and clears what a round left. */
  finish(answers: { partNumber: number; etag: string | undefined }[]): Promise<void>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

function put(url: string, body: Buffer, agent: http.Agent): Promise<{ status: number; etag: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "PUT",
      agent,
      headers: { "content-length": String(body.length) },
      timeout: PUT_TIMEOUT_MS,
    });
    request.on("timeout", () => request.destroy(new Error("part upload timed out")));
    request.once("error", reject);
    request.once("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, text }));
      res.once("error", reject);
    });
    request.end(body);
  });
}

/** Every part, `PARALLEL` in flight; the wall time from the first byte sent to the last answer. */
async function uploadRound(parts: SignedPart[], body: Buffer, agent: http.Agent) {
  const queue = [...parts];
  const answers: { partNumber: number; etag: string | undefined }[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const answer = await put(part.url, body, agent);
        if (answer.status !== 200) throw new Error(`part ${part.partNumber}: ${answer.status} ${answer.text}`);
        answers.push({ partNumber: part.partNumber, etag: answer.etag });
      }
    }),
  );
  return { elapsedMs: performance.now() - started, answers };
}

/** A baseline server in a child process; resolves with its URL once it listens. */
async function startSink(dir: string, fsync: boolean): Promise<{ url: string; child: ChildProcess }> {
  const args = ["--import", "tsx", "bench/lib/file-sink-server.ts", dir, ...(fsync ? ["--fsync"] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`baseline did not start: ${output}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`baseline exited with ${code}`)));
  });
  return { url, child };
}

function sinkTarget(name: string, sink: { url: string; child: ChildProcess }, dir: string): Target {
  const url = sink.url;
  return {
    name,
    pid: sink.child.pid ?? 0,
    prepare: async () => Array.from({ length: PARTS }, (_, index) => ({ partNumber: index + 1, url: `${url}/${index + 1}` })),
    finish: async () => {
      const files = await readdir(dir);
      if (files.length !== PARTS) throw new Error(`${name}: ${files.length} files written, ${PARTS} expected`);
      await Promise.all(files.map((file) => rm(path.join(dir, file))));
    },
  };
}

function apiTarget(api: TrpcHttp, pid: number, partBytes: number): Target {
  let uploadId = "";
  return {
    name: "API part URLs",
    pid,
    prepare: async () => {
      const video = await api.mutation<{ id: string }>("videos.create", { title: "multipart bench" });
      const created = await api.mutation<{ uploadId: string; partSize: number; partCount: number }>("uploads.create", {
        videoId: video.id,
        filename: "bench.mp4",
        contentType: "video/mp4",
        sizeBytes: partBytes * PARTS,
      });
      if (created.partSize !== partBytes || created.partCount !== PARTS) {
        throw new Error(`the API chose ${created.partCount} parts of ${created.partSize} bytes`);
      }
      uploadId = created.uploadId;
      const partNumbers = Array.from({ length: PARTS }, (_, index) => index + 1);
      const signed = await api.mutation<{ parts: SignedPart[] }>("uploads.signParts", { uploadId, partNumbers });
      return signed.parts;
    },
    finish: async (answers) => {
      const listed = await api.query<{ parts: { partNumber: number; etag: string; sizeBytes: number }[] }>("uploads.listParts", {
        uploadId,
      });
      const held = new Map(listed.parts.map((part) => [part.partNumber, part]));
      const wrong = answers.filter(
        (answer) =>
          !answer.etag ||
          held.get(answer.partNumber)?.etag !== answer.etag ||
          held.get(answer.partNumber)?.sizeBytes !== partBytes,
      );
      if (listed.parts.length !== PARTS || wrong.length > 0) {
        throw new Error(
          `listParts does not hold what the PUTs answered: ${JSON.stringify({ wrong, listed: listed.parts.length })}`,
        );
      }
      // Random bytes are no video: complete would refuse them after assembling; abort frees the disk.
      await api.mutation("uploads.abort", { uploadId });
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-multipart-"));
  const storageDir = path.join(dir, "objects");
  const plainDir = path.join(storageDir, "baseline-plain");
  const fsyncDir = path.join(storageDir, "baseline-fsync");
  await mkdir(plainDir, { recursive: true });
  await mkdir(fsyncDir, { recursive: true });
  let server: ChildApi | undefined;
  const sinks: ChildProcess[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  try {
    progress(`starting the API and two baselines as child processes (data in ${dir})`);
    server = await startChildApi(
      {
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: "0",
        LOG_LEVEL: "info",
        RATE_LIMITS: "off",
        JWT_SECRET: "bench-only-secret-0123456789abcdef-0123456789abcdef",
        PGLITE_DATA_DIR: path.join(dir, "pg"),
        LOCAL_STORAGE_DIR: storageDir,
        ...(PROFILE_FILE ? { CPU_PROFILE_FILE: PROFILE_FILE } : {}),
      },
      120_000,
      PROFILE_FILE ? ["--import", "./bench/lib/cpu-profile-probe.ts"] : [],
    );
    const plain = await startSink(plainDir, false);
    const fsync = await startSink(fsyncDir, true);
    sinks.push(plain.child, fsync.child);
    const api = new TrpcHttp(server.url);
    await registerUser(api, "multipart");

    // The API decides the part size: max(8 MiB, ceil(size / 10 000)), 8 MiB for anything up to 80 GB.
    const partBytes = 8 * 1024 * 1024;
    const body = randomBytes(partBytes);
    const targets = [
      apiTarget(api, server.pid, partBytes),
      sinkTarget("plain node:http → file", plain, plainDir),
      sinkTarget("plain node:http → file + fsync", fsync, fsyncDir),
    ];

    progress("warm-up: one round on each target");
    for (const target of targets) await target.finish((await uploadRound(await target.prepare(), body, agent)).answers);

    const throughput = new Map<string, number[]>(targets.map((target) => [target.name, []]));
    const cpuPerMib = new Map<string, number[]>(targets.map((target) => [target.name, []]));
    const ratios: { plain: number[]; fsync: number[] } = { plain: [], fsync: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = targets.map((_, index) => targets[(index + round) % targets.length]!);
      const perRound = new Map<string, number>();
      for (const target of order) {
        const parts = await target.prepare();
        const cpuBefore = await processCpuSeconds(target.pid);
        const { elapsedMs, answers } = await uploadRound(parts, body, agent);
        const cpuSeconds = (await processCpuSeconds(target.pid)) - cpuBefore;
        await target.finish(answers);
        cpuPerMib.get(target.name)?.push((cpuSeconds * 1000) / ((partBytes * PARTS) / 1024 ** 2));
        const mbPerSecond = (partBytes * PARTS) / 1e6 / (elapsedMs / 1000);
        perRound.set(target.name, mbPerSecond);
        throughput.get(target.name)?.push(mbPerSecond);
      }
      const apiRate = perRound.get(targets[0]!.name) ?? Number.NaN;
      ratios.plain.push(apiRate / (perRound.get(targets[1]!.name) ?? Number.NaN));
      ratios.fsync.push(apiRate / (perRound.get(targets[2]!.name) ?? Number.NaN));
      progress(
        `round ${round + 1}/${ROUNDS}: ${order.map((target) => `${target.name} ${perRound.get(target.name)?.toFixed(0)} MB/s`).join(", ")}`,
      );
    }

    if (PROFILE_FILE) {
      // After the measured rounds, so the profiler's cost never reaches the table.
      server.child.kill("SIGUSR2");
      for (let round = 0; round < 2; round++)
        await targets[0]!.finish((await uploadRound(await targets[0]!.prepare(), body, agent)).answers);
      server.child.kill("SIGUSR2");
      await waitForFile(PROFILE_FILE);
      progress(`CPU profile of the API's part uploads in ${PROFILE_FILE}`);
    }

    const ratio = median(ratios.plain);
    const rows = targets.map((target) => {
      const values = throughput.get(target.name) ?? [];
      return [
        target.name,
        `**${median(values).toFixed(0)}**`,
        `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`,
        values.map((value) => value.toFixed(0)).join(", "),
        median(cpuPerMib.get(target.name) ?? []).toFixed(2),
      ];
    });
    process.stdout.write(`## Local multipart: part upload throughput against plain node:http

Command: \`${benchCommand("multipart-upload.ts")}\`

${machineFacts({ "parts per round": `${PARTS} × ${mib(partBytes)} MiB (${PARALLEL} in flight)`, rounds: String(ROUNDS) })}

Setup: the API as a child process (\`node --import tsx server/src/main.ts\`, NODE_ENV=production, embedded PGlite,
local storage, rate limits off) and two baselines, each a child process running \`bench/lib/file-sink-server.ts\`:
a plain \`node:http\` server that pipes each PUT body into a new file under the API's storage folder (same disk),
one of them flushing it (\`flush: true\`, an fsync) before answering, as the API did with each part before
docs/adr/0027 (now it flushes only the assembled object at complete). This process is the client:
it PUTs the same random ${mib(partBytes)} MiB body ${PARTS} times per round to each target (keep-alive, ${PARALLEL} in flight,
\`node:http\`). The API's round is one upload session: uploads.create for ${PARTS * 8} MiB (the part size is the API's
own, 8 MiB), uploads.signParts for every part, then the timed PUTs to the signed part URLs; afterwards uploads.listParts
must hold every part at its size with the ETag its PUT answered, and the session is aborted. Each round
runs the three targets in turn, the order rotated every round; one warm-up round first. MB/s = 10^6 bytes per
second of wall time from the first PUT to the last answer; server CPU is the target process's user + system
time over the same PUTs (\`/proc/<pid>/stat\`), steadier than wall time when
other processes load the machine (though not immune to it).

${table(["target", "median MB/s", "range", "rounds", "server CPU ms per MiB (median)"], rows)}

| ratio (API / baseline) | median | rounds |
| --- | --- | --- |
| API / plain | **${ratio.toFixed(2)}** | ${ratios.plain.map((value) => value.toFixed(2)).join(", ")} |
| API / plain + fsync | ${median(ratios.fsync).toFixed(2)} | ${ratios.fsync.map((value) => value.toFixed(2)).join(", ")} |

**Target:** API part throughput ≥ ${TARGET_RATIO} × the plain baseline. **Measured: ${ratio.toFixed(2)} — ${ratio >= TARGET_RATIO ? "met" : "NOT met"}.**
`);
  } finally {
    agent.destroy();
    for (const sink of sinks) sink.kill("SIGTERM");
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
