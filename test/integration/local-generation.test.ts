import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PAUSES } from "../../server/src/generation/local/caption-timing.js";
import { LocalGenerationProvider } from "../../server/src/generation/local/local-generation.provider.js";
import { splitScript } from "../../server/src/generation/local/sentences.js";
import { captionLayout } from "../../server/src/generation/local/caption-layout.js";
import { locateSynthScript } from "../../server/src/generation/local/speech-synthesis.js";
import { parseWav } from "../../server/src/generation/local/wav.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import type { GenerationRequest } from "../../server/src/shared/application/generation-provider.js";
import { TranscodeCancelledError, transcodeFailureKind } from "../../server/src/shared/application/media-transcoder.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import type { Voice } from "../../server/src/shared/domain/voices.js";
import { ffprobeJson, isProcessGone, topLevelBoxes } from "../support/media-inspection.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const provider = new LocalGenerationProvider({ ffmpegPath: binaries.ffmpegPath });

const SHORT = "Hello there. This is a short test of the local generator!";
const LONGER = `${SHORT} It keeps talking for a while longer, so the video should be longer too. Does it work? It does.`;

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "reelbase-local-gen-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Rendered {
  file: string;
  folder: string;
  progress: number[];
  ms: number;
}

async function render(script: string, options: { voice?: Voice; width?: number; height?: number; folder?: string } = {}) {
  const folder = options.folder ?? path.join(dir, `run-${++runs}`);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, "generated.mp4");
  const progress: number[] = [];
  const started = performance.now();
  await provider.generate(request(script, options), {
    outputPath: file,
    signal: new AbortController().signal,
    onProgress: (percent) => progress.push(percent),
  });
  return { file, folder, progress, ms: performance.now() - started } satisfies Rendered;
}

function request(script: string, options: { voice?: Voice; width?: number; height?: number } = {}): GenerationRequest {
  return {
    idempotencyKey: `test-${runs}`,
    script,
    voice: options.voice ?? "en-us",
    width: options.width ?? 640,
    height: options.height ?? 360,
  };
}

/** ffmpeg at info level: the analysis filters print there. */
function ffmpegLog(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binaries.ffmpegPath,
      ["-hide_banner", "-nostdin", ...args],
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stderr)),
    );
  });
}

async function meanVolumeDb(file: string): Promise<number> {
  const log = await ffmpegLog(["-i", file, "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"]);
  const match = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(log);
  if (!match?.[1]) throw new Error(`no volumedetect result in: ${log.slice(-500)}`);
  return match[1] === "-inf" ? Number.NEGATIVE_INFINITY : Number(match[1]);
}

/** Luma range of the frame at a time: a flat colour has YMIN === YMAX. */
async function lumaRange(file: string, atSeconds: number): Promise<{ min: number; max: number }> {
  const log = await ffmpegLog([
    ...["-ss", String(atSeconds), "-i", file, "-frames:v", "1"],
    ...["-vf", "signalstats,metadata=mode=print", "-f", "null", "-"],
  ]);
  const min = /lavfi\.signalstats\.YMIN=(\d+)/.exec(log)?.[1];
  const max = /lavfi\.signalstats\.YMAX=(\d+)/.exec(log)?.[1];
  if (min === undefined || max === undefined) throw new Error(`no signalstats in: ${log.slice(-500)}`);
  return { min: Number(min), max: Number(max) };
}

/**
 * The seconds espeak-ng speaks for each segment, asked of the speech child script directly (its
 * own protocol), so the expected length does not come from the provider's arithmetic.
 */
async function spokenSeconds(script: string, voice: Voice = "en-us"): Promise<number[]> {
  const segments = splitScript(script, captionLayout(640, 360));
  const folder = await mkdtemp(path.join(dir, "speech-"));
  const child = spawn(process.execPath, [locateSynthScript()], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const seconds: number[] = [];
  for (const [id, segment] of segments.entries()) {
    const out = path.join(folder, `${id}.wav`);
    child.stdin.write(`${JSON.stringify({ id, text: segment.text, voice, out })}\n`);
    const reply = JSON.parse(String((await lines.next()).value)) as { ok: boolean };
    expect(reply.ok).toBe(true);
    const wav = parseWav(await readFile(out));
    seconds.push(wav.samples / wav.sampleRate);
  }
  child.stdin.end();
  await new Promise((resolve) => child.once("close", resolve));
  return seconds;
}

function expectedDuration(spoken: number[], script: string): number {
  const segments = splitScript(script, captionLayout(640, 360));
  const pauses = segments
    .slice(0, -1)
    .reduce((sum, segment) => sum + (segment.endsSentence ? DEFAULT_PAUSES.sentenceSeconds : DEFAULT_PAUSES.clauseSeconds), 0);
  return spoken.reduce((sum, value) => sum + value, 0) + pauses;
}

/** Pids of this process's children (Linux /proc), whatever their program. */
async function childPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(path.join("/proc", entry, "stat"), "utf8").catch(() => "");
    const match = /^\d+ \(.*\) \S+ (\d+)/s.exec(stat);
    if (Number(match?.[1]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

async function waitForChildrenGone(before: readonly number[], budgetMs = 2_000): Promise<number[]> {
  const deadline = performance.now() + budgetMs;
  let left: number[] = [];
  while (performance.now() < deadline) {
    left = (await childPids()).filter((pid) => !before.includes(pid) && !isProcessGone(pid));
    if (left.length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return left;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("LocalGenerationProvider", () => {
  let short: Rendered;

  beforeAll(async () => {
    short = await render(SHORT);
  });

  it("renders H.264 + AAC fitted to the box, moov first, and nothing else left in the folder", async () => {
    const probed = await ffprobeJson(short.file);
    const video = probed.streams.filter((stream) => stream.codec_type === "video");
    const audio = probed.streams.filter((stream) => stream.codec_type === "audio");
    expect(video).toHaveLength(1);
    expect(audio).toHaveLength(1);
    expect(video[0]).toMatchObject({ codec_name: "h264", pix_fmt: "yuv420p" });
    expect(video[0]?.width).toBeLessThanOrEqual(640);
    expect(video[0]?.height).toBeLessThanOrEqual(360);
    expect(video[0]?.width).toBeGreaterThanOrEqual(600); // fitted to the box, not a thumbnail
    expect(audio[0]?.codec_name).toBe("aac");
    const boxes = await topLevelBoxes(short.file);
    expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
    expect(await readdir(short.folder)).toEqual(["generated.mp4"]);
  });

  it("lasts as long as the spoken segments plus their pauses, and longer for a longer script", async () => {
    const spoken = await spokenSeconds(SHORT);
    expect(spoken.length).toBe(2);
    const duration = Number((await ffprobeJson(short.file)).format.duration);
    expect(Math.abs(duration - expectedDuration(spoken, SHORT))).toBeLessThan(0.15);

    const longer = await render(LONGER);
    const longerDuration = Number((await ffprobeJson(longer.file)).format.duration);
    const longerSpoken = await spokenSeconds(LONGER);
    expect(longerSpoken.length).toBe(5);
    expect(Math.abs(longerDuration - expectedDuration(longerSpoken, LONGER))).toBeLessThan(0.15);
    expect(longerDuration).toBeGreaterThan(duration + 3);
  });

  it("has audible speech and captions on screen while it plays", async () => {
    expect(await meanVolumeDb(short.file)).toBeGreaterThan(-45);
    const spoken = await spokenSeconds(SHORT);
    const during = await lumaRange(short.file, (spoken[0] ?? 1) / 2);
    expect(during.max - during.min).toBeGreaterThan(100); // white text on a dark background
    // In the pause between the two segments no caption is shown: the background alone.
    const pause = await lumaRange(short.file, (spoken[0] ?? 1) + DEFAULT_PAUSES.sentenceSeconds / 2);
    expect(pause.max - pause.min).toBeLessThan(10);
  });

  it("reports progress that never goes down and ends at 100", () => {
    expect(short.progress.length).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < short.progress.length; index++) {
      expect(short.progress[index]).toBeGreaterThan(short.progress[index - 1] ?? -1);
    }
    expect(short.progress.every((percent) => percent >= 0 && percent <= 100)).toBe(true);
    expect(short.progress.at(-1)).toBe(100);
    expect(short.progress.some((percent) => percent > 0 && percent < 30)).toBe(true); // synthesis reported
  });

  it.each(["de", "fr", "en-gb"] as const)("speaks with the %s voice", async (voice) => {
    const script = {
      de: "Guten Tag. Wie geht es Ihnen?",
      fr: "Bonjour. Ça va très bien!",
      "en-gb": "Good afternoon. Lovely weather.",
    }[voice];
    const rendered = await render(script, { voice });
    const duration = Number((await ffprobeJson(rendered.file)).format.duration);
    expect(Math.abs(duration - expectedDuration(await spokenSeconds(script, voice), script))).toBeLessThan(0.15);
    expect(await meanVolumeDb(rendered.file)).toBeGreaterThan(-45);
  });

  it("writes captions whose text would break a filter graph, into a folder whose name would too", async () => {
    const folder = path.join(dir, "it's a [weird]; folder, 100%: yes");
    const script = "It's 100% {weird}: text, here! Backslash \\ and %{pts} and 'quotes' — \"fine\"; [brackets], too.";
    const rendered = await render(script, { folder });
    const probed = await ffprobeJson(rendered.file);
    expect(probed.streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);
    expect(await readdir(folder)).toEqual(["generated.mp4"]);
  });

  it("splits a long sentence into several captions and renders a portrait box", async () => {
    const script = `${"One clause after another, ".repeat(6)}and that is all.`;
    const rendered = await render(script, { width: 360, height: 640 });
    const video = (await ffprobeJson(rendered.file)).streams.find((stream) => stream.codec_type === "video");
    expect(video).toMatchObject({ width: 360, height: 640 });
    expect(splitScript(script, captionLayout(360, 640)).length).toBeGreaterThan(1);
  });

  it("refuses a script with nothing to speak as a permanent failure", async () => {
    const error = await rejection(
      provider.generate(request(" ... !!! \n ?"), {
        outputPath: path.join(dir, "nothing.mp4"),
        signal: new AbortController().signal,
        onProgress: () => {},
      }),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("GENERATION_FAILED");
    expect(transcodeFailureKind(error)).toBe("permanent");
  });

  it("reports a missing ffmpeg as a transient tool failure and leaves nothing behind", async () => {
    const folder = path.join(dir, `run-${++runs}`);
    await mkdir(folder);
    const broken = new LocalGenerationProvider({ ffmpegPath: path.join(dir, "no-such-ffmpeg") });
    const error = await rejection(
      broken.generate(request("One sentence."), {
        outputPath: path.join(folder, "out.mp4"),
        signal: new AbortController().signal,
        onProgress: () => {},
      }),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("MEDIA_TOOL_FAILED");
    expect(transcodeFailureKind(error)).toBe("transient");
    expect(await readdir(folder)).toEqual([]);
  });
});

describe("LocalGenerationProvider cancellation", () => {
  const script = Array.from({ length: 12 }, (_, index) => `This is sentence number ${index + 1} of a longer script.`).join(" ");

  async function abortWhen(reached: (percent: number) => boolean) {
    const folder = path.join(dir, `cancel-${++runs}`);
    await mkdir(folder);
    const before = await childPids();
    const controller = new AbortController();
    let abortedAt = 0;
    let seen = 0;
    const promise = provider.generate(request(script), {
      outputPath: path.join(folder, "out.mp4"),
      signal: controller.signal,
      onProgress: (percent) => {
        seen = percent;
        if (abortedAt === 0 && reached(percent)) {
          abortedAt = performance.now();
          controller.abort(new Error("test cancel"));
        }
      },
    });
    const error = await rejection(promise);
    const settleMs = performance.now() - abortedAt;
    return { error, settleMs, folder, before, seen, abortedAt };
  }

  it.each([
    ["during synthesis", (percent: number) => percent > 0],
    ["during ffmpeg", (percent: number) => percent > 35],
  ])("aborting %s rejects promptly, kills the children and leaves no file", async (_when, reached) => {
    const outcome = await abortWhen(reached);
    expect(outcome.abortedAt).toBeGreaterThan(0);
    expect(outcome.error).toBeInstanceOf(TranscodeCancelledError);
    expect(transcodeFailureKind(outcome.error)).toBe("cancelled");
    expect(outcome.settleMs).toBeLessThan(1_500);
    expect(outcome.seen).toBeLessThan(100);
    expect(await readdir(outcome.folder)).toEqual([]);
    expect(await waitForChildrenGone(outcome.before, 500)).toEqual([]);
  });

  it("rejects at once when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const before = await childPids();
    const error = await rejection(
      provider.generate(request(SHORT), {
        outputPath: path.join(dir, "never.mp4"),
        signal: controller.signal,
        onProgress: () => {},
      }),
    );
    expect(error).toBeInstanceOf(TranscodeCancelledError);
    expect((await childPids()).filter((pid) => !before.includes(pid))).toEqual([]);
  });
});

describe("the speech child script is found from every way the server runs", () => {
  const expected = path.join(repoRoot, "server/src/generation/local/espeak-synth.mjs");

  it.each([
    ["the sources", "server/src/generation/local/speech-synthesis.ts"],
    ["the compiled build", "server/dist/generation/local/speech-synthesis.js"],
    ["npm start's bundle", "node_modules/.cache/reelbase/start/0123456789ab/build-1-2-abcd/main.mjs"],
  ])("from %s", (_how, from) => {
    expect(locateSynthScript(path.join(repoRoot, from))).toBe(expected);
  });

  it("says where it looked when it is nowhere", () => {
    expect(() => locateSynthScript("/nonexistent-root/a/b.js")).toThrow(/espeak-synth\.mjs was not found; looked at/);
  });

  it("runs from an esbuild bundle laid out as npm start's", async () => {
    const esbuild = await import("esbuild");
    const outdir = path.join(
      repoRoot,
      "node_modules/.cache/reelbase/test-local-generation",
      `build-${process.pid}-${Date.now()}`,
    );
    const entry = path.join(outdir, "entry.ts");
    await mkdir(outdir, { recursive: true });
    try {
      const providerModule = path.join(repoRoot, "server/src/generation/local/local-generation.provider.ts");
      const out = path.join(outdir, "out.mp4");
      await writeFile(
        entry,
        [
          `import { LocalGenerationProvider } from ${JSON.stringify(providerModule)};`,
          `const provider = new LocalGenerationProvider({ ffmpegPath: ${JSON.stringify(binaries.ffmpegPath)} });`,
          `await provider.generate({ idempotencyKey: "bundle", script: "From the bundle.", voice: "en-us", width: 320, height: 180 },`,
          `  { outputPath: ${JSON.stringify(out)}, signal: new AbortController().signal, onProgress() {} });`,
          `console.log("ok");`,
        ].join("\n"),
      );
      await esbuild.build({
        absWorkingDir: repoRoot,
        entryPoints: { main: entry },
        outdir,
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node20",
        packages: "external",
        outExtension: { ".js": ".mjs" },
        tsconfig: "server/tsconfig.json",
        logLevel: "silent",
      });
      await esbuild.stop();
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [path.join(outdir, "main.mjs")], { timeout: 30_000 }, (error, out) =>
          error ? reject(error) : resolve(out),
        ),
      );
      expect(stdout.trim()).toBe("ok");
      expect((await ffprobeJson(out)).streams).toHaveLength(2);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
