import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfprobeProber, interpretFfprobeOutput } from "../../server/src/media/ffprobe.prober.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import type { Logger } from "../../server/src/shared/application/logger.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { serveFiles, type FileServer } from "../support/media-inspection.js";
import { makeAudioOnly, makeImage, makeNotAVideo, makeTestVideo, runFfmpeg, testVideoCodecs } from "../support/media-fixtures.js";

const binaries = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });
const logged: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
const record =
  (level: string) =>
  (message: string, meta?: Record<string, unknown>): void => {
    logged.push({ level, message, ...(meta ? { meta } : {}) });
  };
const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
const prober = new FfprobeProber({ ffprobePath: binaries.ffprobePath, logger });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "reelbase-ffprobe-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the DomainError the promise rejects with, failing the test on anything else. */
async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(DomainError);
  return caught as DomainError;
}

describe("FfprobeProber on files", () => {
  it("reads duration, size and codecs of an mp4", async () => {
    const codecs = await testVideoCodecs("mp4");
    const probe = await prober.probe(await makeTestVideo(dir));
    expect(probe).toMatchObject({ width: 160, height: 90, videoCodec: codecs.video, audioCodec: "aac" });
    expect(probe?.durationSeconds).toBeGreaterThan(0.8);
    expect(probe?.durationSeconds).toBeLessThan(1.2);
    expect(probe?.formatName).toContain("mp4");
    expect(probe?.frameRate).toBe(10);
    // x264's ultrafast drops CABAC and B-frames: constrained baseline.
    expect(probe?.codecs).toMatch(codecs.video === "h264" ? /^avc1\.42e0[0-9a-f]{2},mp4a\.40\.2$/ : /^$/);
  });

  it("reports a silent video with a null audio codec", async () => {
    const probe = await prober.probe(await makeTestVideo(dir, { seconds: 2, width: 320, height: 240, audio: false }));
    expect(probe).toMatchObject({ width: 320, height: 240, audioCodec: null });
    expect(probe?.durationSeconds).toBeCloseTo(2, 0);
  });

  it("reads a webm (vp8 + opus)", async () => {
    const codecs = await testVideoCodecs("webm");
    const probe = await prober.probe(await makeTestVideo(dir, { format: "webm" }));
    expect(probe).toMatchObject({ width: 160, height: 90, videoCodec: codecs.video, audioCodec: codecs.audio });
    expect(probe?.formatName).toBe("matroska,webm");
    expect(Math.abs((probe?.durationSeconds ?? 0) - 1)).toBeLessThanOrEqual(0.2);
  });

  it("gives display dimensions for a clip stored with a 90° rotation", async () => {
    const rotated = path.join(dir, "rotated.mp4");
    // Stream copy: the 2018 ffmpeg drops the rotate tag when it encodes, but keeps it when it remuxes.
    await runFfmpeg(["-i", await makeTestVideo(dir), "-c", "copy", "-metadata:s:v:0", "rotate=90", "-y", rotated]);
    expect(await prober.probe(rotated)).toMatchObject({ width: 90, height: 160 });
  });

  it("accepts a relative path and a file: URL", async () => {
    const video = await makeTestVideo(dir);
    expect(await prober.probe(path.relative(process.cwd(), video))).toMatchObject({ width: 160 });
    expect(await prober.probe(`file://${video}`)).toMatchObject({ width: 160 });
  });

  it.each([
    ["a text file named .mp4", () => makeNotAVideo(dir)],
    ["a text file named .txt (ffprobe's tty demuxer renders text as video)", () => makeNotAVideo(dir, "notes.txt")],
    ["a PNG image", () => makeImage(dir)],
    ["an m4a tone", () => makeAudioOnly(dir)],
    ["an m4a with cover art (an attached picture)", () => makeAudioOnly(dir, { coverArt: true })],
    ["an mp3 with cover art", () => makeAudioOnly(dir, { format: "mp3", coverArt: true })],
  ])("answers null for %s", async (_name, make) => {
    expect(await prober.probe(await make())).toBeNull();
  });

  it("does not follow an HLS playlist disguised as an upload", async () => {
    const playlist = path.join(dir, "playlist.mp4");
    const target = await makeTestVideo(dir);
    await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:${target}\n#EXT-X-ENDLIST\n`);
    expect(await prober.probe(playlist)).toBeNull();
  });

  it("fails with MEDIA_TOOL_FAILED, not null, when the file has vanished", async () => {
    const error = await domainError(prober.probe(path.join(dir, "gone.mp4")));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", kind: "UNAVAILABLE", details: { reason: "input_unreachable" } });
  });
});

describe("FfprobeProber when the tool cannot run", () => {
  it("fails with MEDIA_TOOL_FAILED when the binary is missing", async () => {
    const missing = new FfprobeProber({ ffprobePath: path.join(dir, "no-such-ffprobe") });
    const error = await domainError(missing.probe(await makeTestVideo(dir)));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", kind: "UNAVAILABLE", details: { reason: "binary_missing" } });
  });

  it("fails with MEDIA_TOOL_FAILED on a timeout", async () => {
    const slow = path.join(dir, "slow-ffprobe.sh");
    await writeFile(slow, "#!/bin/sh\nexec sleep 10\n");
    await chmod(slow, 0o755);
    const started = Date.now();
    const error = await domainError(new FfprobeProber({ ffprobePath: slow, timeoutMs: 300 }).probe(await makeTestVideo(dir)));
    expect(error.details).toEqual({ reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses a location that looks like an option without running anything", async () => {
    const fake = path.join(dir, "fake-ffprobe.sh");
    const marker = path.join(dir, "fake-ffprobe.ran");
    await writeFile(fake, `#!/bin/sh\necho ran > '${marker}'\n`);
    await chmod(fake, 0o755);
    const fakeProber = new FfprobeProber({ ffprobePath: fake });

    for (const location of ["-version", "-i", "-", ""]) {
      await expect(fakeProber.probe(location)).rejects.toThrow(/Refusing to probe/);
    }
    await expect(stat(marker)).rejects.toMatchObject({ code: "ENOENT" });

    // The marker does work: a normal location runs the fake, whose empty output is a tool failure.
    const error = await domainError(fakeProber.probe(await makeTestVideo(dir)));
    expect(error.details).toEqual({ reason: "bad_output" });
    await expect(stat(marker)).resolves.toBeDefined();
  });
});

describe("FfprobeProber over http", () => {
  const requests: { path: string; range: string | undefined }[] = [];
  const files = new Map<string, string>();
  let server: FileServer;

  beforeAll(async () => {
    const video = await makeTestVideo(dir, { seconds: 2 });
    const moovAtEnd = path.join(dir, "moov-at-end.mp4");
    await runFfmpeg(["-i", video, "-c", "copy", "-y", moovAtEnd]); // no +faststart: ffprobe must seek to the end
    files
      .set("/video.mp4", video)
      .set("/moov-at-end.mp4", moovAtEnd)
      .set("/text.mp4", await makeNotAVideo(dir));

    server = await serveFiles(files, (request) => requests.push(request));
  });
  afterAll(async () => {
    await server.close();
  });

  it("probes a presigned-style URL, seeking with Range requests", async () => {
    requests.length = 0;
    const probe = await prober.probe(`${server.base}/moov-at-end.mp4?X-Amz-Signature=secret-signature`);
    expect(probe).toMatchObject({ width: 160, height: 90, audioCodec: "aac" });
    expect(Math.abs((probe?.durationSeconds ?? 0) - 2)).toBeLessThanOrEqual(0.2);
    expect(requests.some((request) => request.range && request.range !== "bytes=0-")).toBe(true);
    expect(await prober.probe(`${server.base}/video.mp4`)).toMatchObject({ width: 160, height: 90 });
  });

  it("answers null for a text file behind a URL", async () => {
    expect(await prober.probe(`${server.base}/text.mp4`)).toBeNull();
  });

  it("fails with MEDIA_TOOL_FAILED (not null) when the store answers 404, without logging the signature", async () => {
    logged.length = 0;
    const error = await domainError(prober.probe(`${server.base}/missing.mp4?X-Amz-Signature=secret-signature`));
    expect(error).toMatchObject({ code: "MEDIA_TOOL_FAILED", details: { reason: "input_unreachable" } });
    expect(logged.some((entry) => entry.level === "warn")).toBe(true);
    expect(JSON.stringify(logged)).not.toContain("secret-signature");
  });

  it("fails with MEDIA_TOOL_FAILED when nothing listens", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await domainError(prober.probe(`http://127.0.0.1:${port}/video.mp4`));
    expect(error.details).toEqual({ reason: "input_unreachable" });
  });
});

describe("interpretFfprobeOutput", () => {
  const video = { codec_type: "video", codec_name: "h264", width: 640, height: 360, duration: "3.5" };

  it("takes the duration from the stream when the container has none", () => {
    expect(interpretFfprobeOutput({ streams: [video], format: { format_name: "mpegts" } })).toMatchObject({
      durationSeconds: 3.5,
    });
  });

  it("prefers the average frame rate, falls back to r_frame_rate, and says null when neither is stated", () => {
    const format = { format_name: "mov,mp4" };
    const rates = (avg: string, r: string) => ({ streams: [{ ...video, avg_frame_rate: avg, r_frame_rate: r }], format });
    expect(interpretFfprobeOutput(rates("8961/300", "90000/1"))?.frameRate).toBeCloseTo(29.87, 5);
    expect(interpretFfprobeOutput(rates("0/0", "30000/1001"))?.frameRate).toBeCloseTo(29.97, 2);
    expect(interpretFfprobeOutput(rates("0/0", "0/0"))?.frameRate).toBeNull();
  });

  it("names H.264 + AAC in RFC 6381 terms and leaves other codecs unnamed", () => {
    const h264 = { ...video, profile: "High", level: 31 };
    const aac = { codec_type: "audio", codec_name: "aac", profile: "LC" };
    const format = { format_name: "mov,mp4", duration: "3" };
    expect(interpretFfprobeOutput({ streams: [h264, aac], format })?.codecs).toBe("avc1.64001f,mp4a.40.2");
    expect(interpretFfprobeOutput({ streams: [h264], format })?.codecs).toBe("avc1.64001f");
    const opus = { codec_type: "audio", codec_name: "opus" };
    expect(interpretFfprobeOutput({ streams: [h264, opus], format })?.codecs).toBeNull();
  });

  it.each([
    ["a single-image format", { streams: [video], format: { format_name: "image2", duration: "0.04" } }],
    ["a single frame", { streams: [{ ...video, nb_frames: "1" }], format: { format_name: "mov,mp4" } }],
    ["no duration anywhere", { streams: [{ ...video, duration: undefined }], format: { format_name: "matroska,webm" } }],
    ["a zero size", { streams: [{ ...video, width: 0 }], format: { format_name: "mov,mp4", duration: "3" } }],
  ])("answers null for %s", (_name, output) => {
    expect(interpretFfprobeOutput(output)).toBeNull();
  });
});
