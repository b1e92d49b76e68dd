import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config/config.js";
import { createMediaTranscoder } from "../../server/src/media/create-transcoder.js";
import { FfmpegTranscoder } from "../../server/src/media/ffmpeg.transcoder.js";
import { FfprobeProber } from "../../server/src/media/ffprobe.prober.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import {
  MEDIA_TRANSCODER,
  TranscodeCancelledError,
  transcodeFailureKind,
  type TranscodeProgress,
  type TranscodeRequest,
  type TranscodeResult,
} from "../../server/src/shared/application/media-transcoder.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { QUALITY_SPECS, type Quality } from "../../server/src/shared/domain/quality.js";
import { makeAudioOnly, makeNotAVideo, makeTestVideo, runFfmpeg } from "../support/media-fixtures.js";
import { childFfmpegPids, ffprobeJson, isProcessGone, serveFiles, topLevelBoxes } from "../support/media-inspection.js";
import {
  avcConfiguration,
  boxTypeAt,
  decodedFrames,
  keyframeTimes,
  readRange,
  videoFrameRate,
} from "../support/fmp4-inspection.js";

const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const prober = new FfprobeProber({ ffprobePath: binaries.ffprobePath });
const transcoder = new FfmpegTranscoder({ ffmpegPath: binaries.ffmpegPath, prober });

let dir: string;
let workDirs = 0;
const sources: Record<
  "landscape" | "portrait" | "small" | "silent" | "long",
  { file: string; width: number; height: number; seconds: number }
> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "reelbase-transcode-"));
  const make = async (width: number, height: number, seconds: number, audio = true) => ({
    file: await makeTestVideo(dir, { width, height, seconds, audio }),
    width,
    height,
    seconds,
  });
  sources.landscape = await make(960, 540, 2);
  sources.portrait = await make(540, 960, 2);
  sources.small = await make(320, 240, 2);
  sources.silent = await make(320, 240, 2, false);
  sources.long = await make(640, 360, 60, false); // for cancel and timeout: still encoding a second in
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const workDir = () => path.join(dir, `work-${++workDirs}`);

function request(name: keyof typeof sources, quality: Quality, extra: Partial<TranscodeRequest> = {}): TranscodeRequest {
  const source = sources[name];
  const durationSeconds = source.seconds;
  return {
    input: source.file,
    quality,
    source: { width: source.width, height: source.height, durationSeconds },
    workDir: workDir(),
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(DomainError);
  return caught as DomainError;
}

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

/** What every successful result must satisfy, checked against ffprobe and the bytes on disk. */
async function expectGoodResult(result: TranscodeResult, req: TranscodeRequest, audio: boolean): Promise<void> {
  const { rendition, thumbnail } = result;
  const spec = QUALITY_SPECS[req.quality];
  const portrait = req.source.height > req.source.width;
  const [boxWidth, boxHeight] = portrait ? [spec.height, spec.width] : [spec.width, spec.height];

  const probed = await ffprobeJson(rendition.path);
  const video = probed.streams.find((stream) => stream.codec_type === "video");
  expect(video).toMatchObject({ codec_name: "h264", pix_fmt: "yuv420p", width: rendition.width, height: rendition.height });
  expect(probed.streams.find((stream) => stream.codec_type === "audio")?.codec_name).toBe(audio ? "aac" : undefined);
  for (const [side, box, sourceSide] of [
    [rendition.width, boxWidth, req.source.width],
    [rendition.height, boxHeight, req.source.height],
  ] as const) {
    expect(side % 2).toBe(0);
    expect(side).toBeLessThanOrEqual(Math.min(box, sourceSide));
  }
  expect(Math.abs(rendition.width / rendition.height - req.source.width / req.source.height)).toBeLessThan(0.02);

  // Fragmented: ftyp + moov (the init section) first, so a download plays as it arrives.
  const boxes = await topLevelBoxes(rendition.path);
  expect(boxes.slice(0, 2)).toEqual(["ftyp", "moov"]);
  expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("moof"));
  expect(boxes.indexOf("moof")).toBeLessThan(boxes.indexOf("mdat"));

  const bytes = await readFile(rendition.path);
  expect(rendition.sizeBytes).toBe(bytes.length);
  await expectStreamable(result, audio);
  expect(rendition.sha256).toBe(await sha256(rendition.path));
  expect(Math.abs(rendition.durationSeconds - req.source.durationSeconds)).toBeLessThan(0.3);
  expect(rendition.bitrateKbps).toBe(Math.round((bytes.length * 8) / rendition.durationSeconds / 1000));
  expect(rendition.bitrateKbps).toBeLessThanOrEqual(spec.bitrateKbps * 1.1);

  const poster = (await ffprobeJson(thumbnail.path)).streams[0];
  expect(poster).toMatchObject({ codec_name: "mjpeg", width: thumbnail.width, height: thumbnail.height });
  expect(thumbnail.width).toBeLessThanOrEqual(Math.min(640, rendition.width));
  expect(thumbnail.sha256).toBe(await sha256(thumbnail.path));
  expect((await readdir(req.workDir)).sort()).toEqual([`${req.quality}.jpg`, `${req.quality}.mp4`]);
}

/** The HLS index and the codecs/frame rate on the result, checked against the file's own bytes and ffprobe. */
async function expectStreamable(result: TranscodeResult, audio: boolean): Promise<void> {
  const { rendition } = result;
  const { init, segments } = rendition.hls;
  // The ranges tile the file: init from byte 0, each segment right after the previous, to the end.
  expect(init.offset).toBe(0);
  let end = init.length;
  for (const segment of segments) {
    expect(segment.offset).toBe(end);
    expect(["moof", "sidx", "styp"]).toContain(await boxTypeAt(rendition.path, segment.offset));
    expect(segment.durationSeconds).toBeLessThanOrEqual(2.01);
    end += segment.length;
  }
  expect(end).toBe(rendition.sizeBytes);
  const total = segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
  expect(Math.abs(total - rendition.durationSeconds)).toBeLessThan(0.1);

  const initBytes = await readRange(rendition.path, init.offset, init.length);
  expect(initBytes.toString("latin1", 4, 8)).toBe("ftyp");
  expect(initBytes.includes("moov", 0, "latin1")).toBe(true);
  expect(rendition.codecs).toBe(`avc1.${avcConfiguration(initBytes)}${audio ? ",mp4a.40.2" : ""}`);
  expect(rendition.codecs).toMatch(/^avc1\.64[0-9a-f]{4}(,mp4a\.40\.2)?$/); // x264's High profile for yuv420p

  const [rate, frames, keyframes] = await Promise.all([
    videoFrameRate(rendition.path),
    decodedFrames(rendition.path),
    keyframeTimes(rendition.path),
  ]);
  const [num, den = "1"] = rate.split("/");
  expect(rendition.frameRate).toBeCloseTo(Number(num) / Number(den), 3);
  // The download decodes to the end: as many frames as its duration holds at its rate.
  expect(Math.abs(frames - rendition.durationSeconds * rendition.frameRate)).toBeLessThanOrEqual(1);
  // One keyframe per segment, each on the segment's first byte range: a player can start any of them.
  expect(keyframes).toHaveLength(segments.length);
  expect(keyframes[0]).toBe(0);
}

describe("FfmpegTranscoder renditions", () => {
  it.each([
    ["landscape", "P360", 640, 360],
    ["landscape", "P720", 960, 540], // smaller than the box: kept, not upscaled
    ["portrait", "P360", 360, 640], // the box turns with the source
    ["portrait", "P1080", 540, 960],
    ["small", "P720", 320, 240],
  ] as const)("%s source at %s is %i×%i, H.264 + AAC fMP4 with the init section first", async (name, quality, width, height) => {
    const req = request(name, quality);
    const result = await transcoder.transcode(req);
    expect(result.rendition).toMatchObject({ width, height });
    await expectGoodResult(result, req, true);
  });

  it("turns a phone clip stored landscape with a 90° rotation upright", async () => {
    const rotated = path.join(dir, "rotated.mp4");
    // Stream copy: the 2018 ffmpeg drops the rotate tag when it encodes, but keeps it when it remuxes.
    await runFfmpeg(["-i", sources.landscape.file, "-c", "copy", "-metadata:s:v:0", "rotate=90", "-y", rotated]);
    const req = { ...request("portrait", "P360"), input: rotated }; // the probe reports display size: 540×960
    const result = await transcoder.transcode(req);
    expect(result.rendition).toMatchObject({ width: 360, height: 640 });
    expect(result.thumbnail).toMatchObject({ width: 360, height: 640 });
    await expectGoodResult(result, req, true);
  });

  it("encodes a source without audio to a video-only fMP4 (codecs: the video's alone)", async () => {
    const req = request("silent", "P360");
    await expectGoodResult(await transcoder.transcode(req), req, false);
  });

  it("reports monotonic progress ending with a single 100", async () => {
    const reports: TranscodeProgress[] = [];
    const req = request("landscape", "P360", { onProgress: (progress) => reports.push(progress) });
    await transcoder.transcode(req);
    const percents = reports.map((progress) => progress.percent);
    expect(percents.at(-1)).toBe(100);
    expect(percents.filter((percent) => percent === 100)).toHaveLength(1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    for (const progress of reports) expect(progress.percent).toBeGreaterThanOrEqual(0);
  });

  it("keeps the whole file under the quality's cap when the picture is noise", async () => {
    const noise = path.join(dir, "noise.mp4");
    // Noise defeats compression, so only the VBV cap keeps the rate down (CRF alone would give several Mb/s).
    await runFfmpeg([
      ...["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-vf", "noise=alls=80:allf=t", "-t", "4"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-qp", "12", "-pix_fmt", "yuv420p", "-y", noise],
    ]);
    const req = { ...request("small", "P360"), input: noise, source: { width: 320, height: 240, durationSeconds: 4 } };
    const result = await transcoder.transcode(req);
    expect(result.rendition.bitrateKbps).toBeGreaterThan(500); // the cap, not the content, was the limit
    expect(result.rendition.bitrateKbps).toBeLessThanOrEqual(QUALITY_SPECS.P360.bitrateKbps); // 734 with the 2018 build
    await expectGoodResult(result, req, false);
  });

  it("reads the source over http, with a presigned-style query string", async () => {
    const server = await serveFiles(new Map([["/source.mp4", sources.small.file]]));
    try {
      const req = request("small", "P360", { input: `${server.base}/source.mp4?X-Amz-Signature=secret` });
      await expectGoodResult(await transcoder.transcode(req), req, true);

      const missing = await failure(transcoder.transcode({ ...req, input: `${server.base}/gone.mp4?X-Amz-Signature=secret` }));
      expect(missing).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "input_unreachable", permanent: false } });
      expect(JSON.stringify({ message: missing.message, details: missing.details })).not.toContain("secret");
    } finally {
      await server.close();
    }
  });
});

describe("FfmpegTranscoder: one fMP4 for download and HLS", () => {
  /** A testsrc2 clip at a given rate, with audio: more than three segments long. */
  const clip = async (name: string, rate: string, seconds = 7, size = "640x360") => {
    const file = path.join(dir, `${name}.mp4`);
    await runFfmpeg([
      ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}`, "-f", "lavfi", "-i", "sine=frequency=440"],
      ...["-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
      ...["-movflags", "+faststart", "-y", file],
    ]);
    const [width, height] = size.split("x").map(Number) as [number, number];
    return { file, source: { width, height, durationSeconds: seconds } };
  };
  const transcode = (input: string, source: TranscodeRequest["source"], quality: Quality) =>
    transcoder.transcode({ input, quality, source, workDir: workDir() });

  it("puts a keyframe on every 2 s mark, at the same instants on every rung, one per segment", async () => {
    const { file, source } = await clip("pal", "25");
    const low = await transcode(file, source, "P360");
    const high = await transcode(file, source, "P1080"); // not upscaled, but its own rate cap and encode
    const [lowKeys, highKeys] = [await keyframeTimes(low.rendition.path), await keyframeTimes(high.rendition.path)];
    expect(lowKeys).toEqual([0, 2, 4, 6]);
    expect(highKeys).toEqual(lowKeys);
    expect(low.rendition.frameRate).toBe(25);
    expect(high.rendition.frameRate).toBe(25);
    expect(low.rendition.hls.segments.map((segment) => segment.durationSeconds)).toEqual([2, 2, 2, 1]);
    expect(high.rendition.hls.segments.map((segment) => segment.durationSeconds)).toEqual([2, 2, 2, 1]);
    expect(low.rendition.sha256).not.toBe(high.rendition.sha256);
    await expectGoodResult(low, { input: file, quality: "P360", source, workDir: path.dirname(low.rendition.path) }, true);
    await expectGoodResult(high, { input: file, quality: "P1080", source, workDir: path.dirname(high.rendition.path) }, true);
  });

  it("keeps 29.97 fps exact, each keyframe on the first frame at or after a 2 s mark, alike on both rungs", async () => {
    const { file, source } = await clip("ntsc", "30000/1001");
    const [low, high] = [await transcode(file, source, "P360"), await transcode(file, source, "P720")];
    const [lowKeys, highKeys] = [await keyframeTimes(low.rendition.path), await keyframeTimes(high.rendition.path)];
    expect(highKeys).toEqual(lowKeys);
    expect(lowKeys).toHaveLength(4);
    const frame = 1001 / 30000;
    lowKeys.forEach((time, mark) => {
      expect(time).toBeGreaterThanOrEqual(mark * 2);
      expect(time).toBeLessThan(mark * 2 + frame);
    });
    expect(low.rendition.frameRate).toBe(29.97);
    expect(high.rendition.frameRate).toBe(29.97);
    expect(await videoFrameRate(high.rendition.path)).toBe("30000/1001");
  });

  it("halves a 120 fps source to 60 fps, and uses 30 fps when the source states no rate", async () => {
    const { file, source } = await clip("fast", "120", 3, "320x240");
    const fast = await transcode(file, source, "P360");
    expect(fast.rendition.frameRate).toBe(60);
    expect(await keyframeTimes(fast.rendition.path)).toEqual([0, 2]);

    const unstated = await transcode(file, { ...source, frameRate: null }, "P360");
    expect(unstated.rendition.frameRate).toBe(30);
    expect(await keyframeTimes(unstated.rendition.path)).toEqual([0, 2]);
  });

  it("gives a download ffprobe reads in full over http, duration and both streams", async () => {
    const { file, source } = await clip("download", "25", 5);
    const result = await transcode(file, source, "P360");
    const server = await serveFiles(new Map([["/rendition.mp4", result.rendition.path]]));
    try {
      const probed = await ffprobeJson(`${server.base}/rendition.mp4`);
      expect(probed.streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);
      expect(Number(probed.format.duration)).toBeCloseTo(5, 1);
    } finally {
      await server.close();
    }
    expect(await decodedFrames(result.rendition.path)).toBe(125);
  });
});

describe("FfmpegTranscoder failures", () => {
  const corrupt = {
    "random bytes named .mp4": async () => {
      const file = path.join(dir, "random.mp4");
      await writeFile(file, createHash("sha512").update("seed").digest().toString("hex").repeat(400));
      return file;
    },
    "an mp4 cut off before its index": async () => {
      const moovAtEnd = path.join(dir, "moov-at-end.mp4");
      await runFfmpeg(["-i", sources.small.file, "-c", "copy", "-y", moovAtEnd]);
      const cut = path.join(dir, "cut.mp4");
      await writeFile(cut, (await readFile(moovAtEnd)).subarray(0, 20_000));
      return cut;
    },
    "an mp4 whose frames are zeroed": async () => {
      const bytes = await readFile(sources.small.file);
      const mdat = bytes.indexOf("mdat");
      bytes.fill(0, mdat + 4);
      const file = path.join(dir, "zeroed.mp4");
      await writeFile(file, bytes);
      return file;
    },
    "audio without a video stream": () => makeAudioOnly(dir),
    "a text file": () => makeNotAVideo(dir, "notes.txt"),
  };

  it.each(Object.keys(corrupt))("fails fast and permanently on %s", async (name) => {
    const input = await corrupt[name as keyof typeof corrupt]();
    const req = { ...request("small", "P360"), input };
    const started = Date.now();
    const error = await failure(transcoder.transcode(req));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toMatchObject({ code: "MEDIA_UNDECODABLE", details: { permanent: true } });
    expect(error.message).toMatch(/^The source cannot be decoded: \S/);
    expect(transcodeFailureKind(error)).toBe("permanent");
    expect(await readdir(req.workDir)).toEqual([]);
  });

  it("fails as transient when the binary is missing", async () => {
    const missing = new FfmpegTranscoder({ ffmpegPath: path.join(dir, "no-such-ffmpeg"), prober });
    const error = await failure(missing.transcode(request("small", "P360")));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "binary_missing", permanent: false } });
    expect(transcodeFailureKind(error)).toBe("transient");
  });

  it("fails as a tool failure, leaving nothing behind, when ffmpeg's playlist is not the one asked for", async () => {
    // The real ffmpeg, then one line too many in its playlist: the index must not be guessed from it.
    const wrapper = path.join(dir, "ffmpeg-bad-playlist.sh");
    await writeFile(
      wrapper,
      `#!/bin/sh\nfor arg; do case "$arg" in *.m3u8) playlist="$arg";; esac; done\n` +
        `${JSON.stringify(binaries.ffmpegPath)} "$@" || exit $?\nprintf '#EXT-X-DISCONTINUITY\\n' >> "$playlist"\n`,
      { mode: 0o755 },
    );
    const tampered = new FfmpegTranscoder({ ffmpegPath: wrapper, prober });
    const req = request("small", "P360");
    const error = await failure(tampered.transcode(req));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "bad_output", permanent: false } });
    expect(error.message).toMatch(/HLS playlist: .*after #EXT-X-ENDLIST/);
    expect(transcodeFailureKind(error)).toBe("transient");
    expect(await readdir(req.workDir)).toEqual([]);
  });

  it("fails as transient when the source file has vanished", async () => {
    const error = await failure(transcoder.transcode({ ...request("small", "P360"), input: path.join(dir, "gone.mp4") }));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "input_unreachable", permanent: false } });
  });

  it("times out as transient, leaving no process and no partial file", async () => {
    const slow = new FfmpegTranscoder({ ffmpegPath: binaries.ffmpegPath, prober, timeoutMs: 500 });
    const req = request("long", "P360");
    const error = await failure(slow.transcode(req));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "timeout", permanent: false } });
    expect(await childFfmpegPids()).toEqual([]);
    expect(await readdir(req.workDir)).toEqual([]);
  });
});

describe("FfmpegTranscoder cancellation", () => {
  it("stops ffmpeg within a second of the abort, removing partial outputs", async () => {
    const controller = new AbortController();
    let pids: number[] = [];
    let abortedAt = 0;
    const req = request("long", "P360", {
      signal: controller.signal,
      onProgress: () => {
        if (abortedAt) return;
        void childFfmpegPids().then((found) => {
          pids = found;
          abortedAt = performance.now();
          controller.abort(new Error("user cancelled"));
        });
      },
    });
    const error = await transcoder.transcode(req).catch((caught: unknown) => caught);
    const elapsed = performance.now() - abortedAt;

    expect(error).toBeInstanceOf(TranscodeCancelledError);
    expect(transcodeFailureKind(error)).toBe("cancelled");
    expect(elapsed).toBeLessThan(1_000);
    expect(pids).toHaveLength(1);
    expect(pids.every(isProcessGone)).toBe(true);
    expect(await readdir(req.workDir)).toEqual([]);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const req = request("small", "P360", { signal: AbortSignal.abort() });
    await expect(transcoder.transcode(req)).rejects.toBeInstanceOf(TranscodeCancelledError);
  });
});

describe("createMediaTranscoder", () => {
  it("binds the ffmpeg adapter to the port's token, naming the binaries", async () => {
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const adapter = createMediaTranscoder(loadConfig({ NODE_ENV: "test" }), silent);
    expect(adapter).toMatchObject({ port: "media transcoder", token: MEDIA_TRANSCODER, healthCheck: null });
    expect(adapter.value).toBeInstanceOf(FfmpegTranscoder);
    expect(adapter.describe).toMatch(/ffmpeg \((bundled|\/)/);
    await adapter.close();
  });
});
