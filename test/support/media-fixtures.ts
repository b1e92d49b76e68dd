import { execFile } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";

/**
 * Real media for tests, made by the bundled ffmpeg (a 2018 static build) from lavfi sources.
 * Each parameter set is encoded once per process into a cache directory and copied into the
 * caller's directory, so tests may move or delete what they get.
 */
export interface TestVideoOptions {
  seconds?: number;
  /** Even numbers: yuv420p cannot encode odd sizes. */
  width?: number;
  height?: number;
  audio?: boolean;
  /** mp4: h264 (mpeg4 if this ffmpeg has no libx264) + aac, faststart. webm: vp8 + opus. */
  format?: "mp4" | "webm";
}

export interface AudioOnlyOptions {
  format?: "m4a" | "mp3";
  /** Adds a PNG cover as an attached picture: a "video" stream that is not a video. */
  coverArt?: boolean;
}

const { ffmpegPath } = resolveMediaBinaries({ ffprobePath: undefined, ffmpegPath: process.env.FFMPEG_PATH });
const cacheDir = path.join(os.tmpdir(), `reelbase-fixtures-${process.pid}`);
const cache = new Map<string, Promise<string>>();
let copies = 0;
let encoders: Promise<string> | undefined;

process.once("exit", () => rmSync(cacheDir, { recursive: true, force: true }));
sweepDeadCaches();

export function runFfmpeg(args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const fullArgs = ["-hide_banner", "-nostdin", "-loglevel", "error", ...args];
    execFile(ffmpegPath, fullArgs, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffmpeg ${args.join(" ")} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** The codecs (ffprobe names) a fixture of this format carries with this ffmpeg build. */
export async function testVideoCodecs(format: "mp4" | "webm" = "mp4"): Promise<{ video: string; audio: string }> {
  if (format === "webm") return { video: "vp8", audio: (await hasEncoder("libopus")) ? "opus" : "vorbis" };
  return { video: (await hasEncoder("libx264")) ? "h264" : "mpeg4", audio: "aac" };
}

export async function makeTestVideo(dir: string, options: TestVideoOptions = {}): Promise<string> {
  const { seconds = 1, width = 160, height = 90, audio = true, format = "mp4" } = options;
  if (width % 2 || height % 2) throw new Error(`makeTestVideo: ${width}x${height} must be even for yuv420p`);
  const key = `video-${width}x${height}-${seconds}s-${audio ? "av" : "v"}.${format}`;
  return copyInto(dir, key, async (out) => {
    const codecs = await testVideoCodecs(format);
    const videoArgs = {
      h264: ["-c:v", "libx264", "-preset", "ultrafast"],
      mpeg4: ["-c:v", "mpeg4", "-q:v", "5"],
      vp8: ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"],
    }[codecs.video] ?? ["-c:v", codecs.video];
    const audioEncoder = { aac: "aac", opus: "libopus", vorbis: "libvorbis" }[codecs.audio] ?? codecs.audio;
    await runFfmpeg([
      ...["-f", "lavfi", "-i", `testsrc=size=${width}x${height}:rate=10`],
      ...(audio ? ["-f", "lavfi", "-i", "sine=frequency=440"] : []),
      // -t after the inputs bounds the output: lavfi sources never end on their own.
      ...["-t", String(seconds), "-map", "0:v", ...(audio ? ["-map", "1:a", "-c:a", audioEncoder] : [])],
      ...videoArgs,
      ...["-pix_fmt", "yuv420p"],
      ...(format === "mp4" ? ["-movflags", "+faststart"] : []),
      ...["-y", out],
    ]);
  });
}

/** Text with a video's name: what a confused or hostile client uploads. */
export async function makeNotAVideo(dir: string, filename = "not-a-video.mp4"): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, filename);
  await writeFile(file, Array.from({ length: 200 }, (_, line) => `line ${line}: this is plain text, not a video`).join("\n"));
  return file;
}

/** A single-frame PNG: ffprobe reports it as a "video" stream (png_pipe) with no duration. */
export async function makeImage(dir: string): Promise<string> {
  return copyInto(dir, "image-160x90.png", (out) =>
    runFfmpeg(["-f", "lavfi", "-i", "testsrc=size=160x90", "-frames:v", "1", "-y", out]),
  );
}

/** A one-second 440 Hz tone, m4a (aac) by default. */
export async function makeAudioOnly(dir: string, options: AudioOnlyOptions = {}): Promise<string> {
  const { format = "m4a", coverArt = false } = options;
  return copyInto(dir, `audio${coverArt ? "-cover" : ""}.${format}`, (out) =>
    runFfmpeg([
      ...["-f", "lavfi", "-i", "sine=frequency=440"],
      ...(coverArt ? ["-f", "lavfi", "-i", "testsrc=size=64x64", "-map", "0:a", "-map", "1:v", "-frames:v", "1"] : []),
      ...(coverArt ? ["-c:v", "png", "-disposition:v:0", "attached_pic"] : []),
      ...["-t", "1", "-c:a", format === "mp3" ? "libmp3lame" : "aac", "-y", out],
    ]),
  );
}

async function hasEncoder(name: string): Promise<boolean> {
  encoders ??= runFfmpeg(["-encoders"]);
  return new RegExp(`^\\s*[VAS][A-Z.]{5}\\s+${name}\\s`, "m").test(await encoders);
}

async function copyInto(dir: string, key: string, generate: (out: string) => Promise<unknown>): Promise<string> {
  let cached = cache.get(key);
  if (!cached) {
    cached = (async () => {
      await mkdir(cacheDir, { recursive: true });
      const out = path.join(cacheDir, key);
      await generate(out);
      return out;
    })();
    cache.set(key, cached);
    cached.catch(() => cache.delete(key)); // a failed encode is retried, not remembered
  }
  const source = await cached;
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, `${++copies}-${key}`);
  await copyFile(source, target);
  return target;
}

/** Vitest kills its workers without an "exit" event, so each process removes the caches of dead ones. */
function sweepDeadCaches(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(/^reelbase-fixtures-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, but another user's
  }
}
