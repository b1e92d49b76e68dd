/**
 * Peak RSS of the API (a child process, embedded PGlite, local storage) while a 1 GiB file is PUT
 * to its /files upload URL. The body is generated on the fly; nothing holds 1 GiB in memory.
 *
 *   npx tsx bench/local-upload-rss.ts [--mib N]
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readProcMemory, resetPeakRss, RssSampler, startChildApi, type ChildApi } from "./lib/child-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { mib } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const TARGET_DELTA_MIB = 64;
const CHUNK = randomBytes(1024 * 1024);
const mibFlag = process.argv.indexOf("--mib");
const UPLOAD_MIB = mibFlag >= 0 ? Number(process.argv[mibFlag + 1]) : 1024;
const WARMUP_MIB = 16;
const UPLOAD_TIMEOUT_MS = 240_000;

interface PresignedUpload {
  uploadUrl: string;
  method: "PUT";
  headers: Record<string, string>;
}

/** The same random MiB over and over: `mebibytes` MiB on the wire, one MiB in memory. */
function body(mebibytes: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < mebibytes; i++) yield CHUNK;
    })(),
  );
}

function expectedSha256(mebibytes: number): string {
  const hash = createHash("sha256");
  for (let i = 0; i < mebibytes; i++) hash.update(CHUNK);
  return hash.digest("hex");
}

/** PUT with exactly the headers createUpload returned, plus Content-Length, through node:http (no buffering). */
async function put(upload: PresignedUpload, mebibytes: number): Promise<{ status: number; body: string }> {
  const request = http.request(upload.uploadUrl, {
    method: upload.method,
    headers: { ...upload.headers, "content-length": String(mebibytes * 1024 * 1024) },
    timeout: UPLOAD_TIMEOUT_MS,
  });
  request.on("timeout", () => request.destroy(new Error("upload timed out")));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once("error", reject);
    });
  });
  await pipeline(body(mebibytes), request);
  return response;
}

async function prepareUpload(api: TrpcHttp, title: string, mebibytes: number): Promise<PresignedUpload> {
  const video = await api.mutation<{ id: string }>("videos.create", { title });
  return api.mutation<PresignedUpload>("videos.createUpload", {
    id: video.id,
    filename: `${title}.mp4`,
    contentType: "video/mp4",
    sizeBytes: mebibytes * 1024 * 1024,
  });
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-upload-"));
  const storageDir = path.join(dir, "objects");
  let server: ChildApi | undefined;
  const sampler: { current?: RssSampler } = {};
  try {
    progress(`starting the API in a child process (data in ${dir})`);
    server = await startChildApi({
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      JWT_SECRET: "bench-only-secret-0123456789abcdef-0123456789abcdef",
      PGLITE_DATA_DIR: path.join(dir, "pg"),
      LOCAL_STORAGE_DIR: storageDir,
    });
    const api = new TrpcHttp(server.url);
    await registerUser(api, "upload");
    const startupPeak = (await readProcMemory(server.pid)).hwmBytes;

    progress(`warm-up: a ${WARMUP_MIB} MiB upload through the same route`);
    const warm = await put(await prepareUpload(api, "warm-up", WARMUP_MIB), WARMUP_MIB);
    if (warm.status !== 200) throw new Error(`warm-up upload failed: ${warm.status} ${warm.body}`);
    const upload = await prepareUpload(api, "big", UPLOAD_MIB);

    const rss = new RssSampler(server.pid, 50);
    sampler.current = rss;
    rss.start();
    await sleep(1_000);
    const baseline = median(rss.between(0, performance.now()));
    const peakReset = await resetPeakRss(server.pid);

    progress(`uploading ${UPLOAD_MIB} MiB`);
    const clientPeak = { rss: process.memoryUsage.rss() };
    const clientTimer = setInterval(() => (clientPeak.rss = Math.max(clientPeak.rss, process.memoryUsage.rss())), 50);
    const started = performance.now();
    const result = await put(upload, UPLOAD_MIB);
    const elapsedMs = performance.now() - started;
    clearInterval(clientTimer);
    await sleep(200);
    rss.stop();
    const after = await readProcMemory(server.pid);
    if (result.status !== 200) throw new Error(`upload failed: ${result.status} ${result.body}`);

    const during = rss.between(started, started + elapsedMs + 200);
    const sampledPeak = Math.max(...during);
    const peak = peakReset ? Math.max(sampledPeak, after.hwmBytes) : sampledPeak;
    const delta = peak - baseline;
    const key = decodeURIComponent(new URL(upload.uploadUrl).pathname.replace(/^\/files\//, ""));
    const stored = await stat(path.join(storageDir, key));
    const answer = JSON.parse(result.body) as { sizeBytes: number; sha256: string };
    const sha = expectedSha256(UPLOAD_MIB);
    const bytes = UPLOAD_MIB * 1024 * 1024;
    const met = delta <= TARGET_DELTA_MIB * 1024 * 1024;

    const rows = [
      ["API RSS at start-up peak (VmHWM before the reset)", `${mib(startupPeak)} MiB`],
      ["API RSS baseline (median of 1 s idle after warm-up)", `${mib(baseline)} MiB`],
      [`API RSS peak during the upload (${during.length} samples every 50 ms)`, `${mib(sampledPeak)} MiB`],
      ["API VmHWM after the upload (kernel peak since reset)", peakReset ? `${mib(after.hwmBytes)} MiB` : "reset not permitted"],
      ["**API RSS added by the upload (peak − baseline)**", `**${mib(delta)} MiB**`],
      ["API RSS right after the upload", `${mib(after.rssBytes)} MiB`],
      ["upload size / time", `${UPLOAD_MIB} MiB / ${(elapsedMs / 1000).toFixed(1)} s`],
      ["throughput (client wall time, incl. server fsync)", `${mib(bytes / (elapsedMs / 1000))} MiB/s`],
      ["stored file size on disk", `${stored.size} bytes (${stored.size === bytes ? "matches" : "DOES NOT match"})`],
      ["sha256 returned by the API", answer.sha256 === sha ? "matches the bytes sent" : `MISMATCH: ${answer.sha256}`],
      ["client (bench) peak RSS", `${mib(clientPeak.rss)} MiB`],
    ];
    process.stdout.write(`## Local storage: API memory during a ${UPLOAD_MIB === 1024 ? "1 GiB" : `${UPLOAD_MIB} MiB`} upload

Command: \`${benchCommand("local-upload-rss.ts")}\`

${machineFacts()}

Setup: the API started as a child process (\`node --import tsx server/src/main.ts\`, NODE_ENV=production,
embedded PGlite and local storage in a temp dir, LOG_LEVEL=info to read its URL), so its RSS is its own.
After register, a ${WARMUP_MIB} MiB warm-up upload (route, hashing and file code loaded), videos.create and
videos.createUpload, the client PUTs ${UPLOAD_MIB} MiB (one random MiB repeated, generated on the fly) to the signed
\`/files/…\` URL with exactly the headers createUpload returned plus Content-Length, through \`node:http\`.
RSS is VmRSS from \`/proc/<pid>/status\` every 50 ms; VmHWM is reset (\`clear_refs\` = 5) just before the upload
so it catches a peak between samples. completeUpload is skipped (random bytes are not a video).

${table(["measure", "value"], rows)}

**Target:** the upload adds ≤ ${TARGET_DELTA_MIB} MiB to the API's RSS. **Measured: ${mib(delta)} MiB — ${met ? "met" : "NOT met"}.**
`);
  } finally {
    sampler.current?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
