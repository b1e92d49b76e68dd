import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../shared/application/logger.js";
import type { MediaProber } from "../shared/application/media-prober.js";
import {
  mediaToolFailed,
  TranscodeCancelledError,
  undecodableMedia,
  type MediaTranscoder,
  type TranscodeProgress,
  type TranscodeRequest,
  type TranscodeResult,
} from "../shared/application/media-transcoder.js";
import { planTranscode, type TranscodePlan } from "./ffmpeg-args.js";
import { classifyFailure, redact } from "./ffmpeg-failure.js";
import { runFfmpegProcess } from "./ffmpeg-process.js";
import { FfmpegProgressParser, ProgressThrottle } from "./ffmpeg-progress.js";
import { outputFrameRate } from "./frame-rate.js";
import { HlsPlaylistError, parseHlsPlaylist } from "./hls-playlist.js";
import { DomainError } from "../shared/domain/domain-error.js";

export interface FfmpegTranscoderOptions {
  /** From resolveMediaBinaries(); a bare name is looked up on PATH. */
  ffmpegPath: string;
  /**
   * Measures the finished rendition (size, duration, codecs, frame rate), and the source's frame
   * rate when the request does not carry it; FfprobeProber in production.
   */
  prober: MediaProber;
  logger?: Logger;
  /** The whole ffmpeg run. Default: 5 minutes plus 10× the source's duration (a slow, shared worker). */
  timeoutMs?: number;
  /** SIGTERM first so ffmpeg can close its files, SIGKILL after this. Default 500 ms. */
  killGraceMs?: number;
  /** Minimum time between progress reports. Default 250 ms. */
  progressIntervalMs?: number;
}

interface Outputs {
  video: string;
  thumbnail: string;
}

/** The playlist is only read into the index: it never leaves the work directory. */
type TempOutputs = Outputs & { playlist: string };

/**
 * The MediaTranscoder on a local ffmpeg. Outputs are written under temporary names in the work
 * directory and renamed only when everything succeeded and was measured; on any failure or
 * cancellation the temporary files are removed before the promise settles.
 */
export class FfmpegTranscoder implements MediaTranscoder {
  private readonly killGraceMs: number;
  private readonly progressIntervalMs: number;

  constructor(private readonly options: FfmpegTranscoderOptions) {
    this.killGraceMs = options.killGraceMs ?? 500;
    this.progressIntervalMs = options.progressIntervalMs ?? 250;
  }

  async transcode(request: TranscodeRequest): Promise<TranscodeResult> {
    const { signal, quality, source, workDir } = request;
    if (signal?.aborted) throw new TranscodeCancelledError(signal.reason);
    await mkdir(workDir, { recursive: true });
    const final: Outputs = { video: path.join(workDir, `${quality}.mp4`), thumbnail: path.join(workDir, `${quality}.jpg`) };
    const tag = randomBytes(6).toString("hex");
    const temp: TempOutputs = {
      video: `${final.video}.${tag}.partial`,
      thumbnail: `${final.thumbnail}.${tag}.partial`,
      playlist: `${final.video}.${tag}.m3u8`,
    };
    const frameRate = outputFrameRate(
      source.frameRate !== undefined ? source.frameRate : await this.sourceFrameRate(request.input),
    );
    if (signal?.aborted) throw new TranscodeCancelledError(signal.reason);
    const plan = planTranscode({ input: request.input, quality, source, frameRate, outputs: temp });
    const timeoutMs = this.options.timeoutMs ?? 300_000 + source.durationSeconds * 10_000;
    const started = performance.now();
    const meta = { input: plan.input.redacted, quality, width: plan.video.width, height: plan.video.height, fps: frameRate.expr };

    const throttle = new ProgressThrottle(
      source.durationSeconds,
      (progress) => this.report(request, progress),
      this.progressIntervalMs,
    );
    const parser = new FfmpegProgressParser();
    let speed: number | undefined;
    this.options.logger?.debug("ffmpeg starting", { ...meta, args: plan.args.map((arg) => redact(arg, plan.input)) });

    try {
      const outcome = await runFfmpegProcess(this.options.ffmpegPath, plan.args, {
        timeoutMs,
        killGraceMs: this.killGraceMs,
        ...(signal ? { signal } : {}),
        onStdoutLine: (line) => {
          const position = parser.push(line);
          if (!position) return;
          speed = position.speed ?? speed;
          throttle.update(position);
        },
      });
      if (outcome.kind === "aborted") throw new TranscodeCancelledError(signal?.reason);
      if (outcome.kind !== "exited" || outcome.code !== 0) {
        throw await classifyFailure(outcome, plan.input, this.options.ffmpegPath, timeoutMs);
      }
      const measured = await this.measure(plan, temp);
      await rm(temp.playlist, { force: true });
      if (signal?.aborted) throw new TranscodeCancelledError(signal.reason);
      await rename(temp.video, final.video);
      await rename(temp.thumbnail, final.thumbnail);
      throttle.finish();
      this.options.logger?.info("transcode finished", { ...meta, ms: Math.round(performance.now() - started), speed });
      return {
        rendition: { ...measured.rendition, path: final.video },
        thumbnail: { ...measured.thumbnail, path: final.thumbnail },
      };
    } catch (error) {
      await Promise.all([rm(temp.video, { force: true }), rm(temp.thumbnail, { force: true })]);
      await rm(temp.playlist, { force: true });
      const level = error instanceof TranscodeCancelledError ? "info" : "warn";
      this.options.logger?.[level]("transcode did not finish", { ...meta, error: describe(error) });
      throw error;
    }
  }

  /** Facts about the outputs come from the files, never from what was asked of ffmpeg. */
  private async measure(plan: TranscodePlan, temp: TempOutputs): Promise<TranscodeResult> {
    const thumbnailSize = await stat(temp.thumbnail).then(
      (stats) => stats.size,
      () => 0,
    );
    // Exit 0 without a poster frame: nothing decodable at or after 10 % of the probed duration.
    if (thumbnailSize === 0) throw undecodableMedia(`The source has no decodable frame at ${plan.thumbnailAtSeconds} s`);
    const probe = await this.options.prober.probe(temp.video);
    if (!probe) throw undecodableMedia("ffmpeg produced no playable video from the source");
    // Our own encoder's output: a codec string we cannot name or a missing rate is the tool's fault.
    if (!probe.codecs) throw mediaToolFailed("bad_output", `the rendition's codecs have no RFC 6381 name (${probe.videoCodec})`);
    if (!probe.frameRate) throw mediaToolFailed("bad_output", "the rendition does not state its frame rate");
    const [video, thumbnail] = await Promise.all([digest(temp.video), digest(temp.thumbnail)]);
    const hls = await readIndex(temp.playlist, video.sizeBytes);
    return {
      rendition: {
        path: temp.video,
        width: probe.width,
        height: probe.height,
        durationSeconds: probe.durationSeconds,
        bitrateKbps: Math.round((video.sizeBytes * 8) / probe.durationSeconds / 1000),
        codecs: probe.codecs,
        frameRate: Math.round(probe.frameRate * 1000) / 1000,
        hls,
        ...video,
      },
      thumbnail: { path: temp.thumbnail, ...plan.thumbnail, ...thumbnail },
    };
  }

  /**
   * The source's stated rate, for a request that does not carry it (the video row stores none).
   * null (not a video) lets ffmpeg run and fail as it would have; a probe that could not be made
   * fails the transcode as transient rather than guess a rate one rung of the ladder would not share.
   */
  private async sourceFrameRate(input: string): Promise<number | null> {
    try {
      return (await this.options.prober.probe(input))?.frameRate ?? null;
    } catch (error) {
      if (error instanceof DomainError && typeof error.details?.reason === "string") {
        throw mediaToolFailed(error.details.reason, error.message);
      }
      throw error;
    }
  }

  private report(request: TranscodeRequest, progress: TranscodeProgress): void {
    try {
      request.onProgress?.(progress);
    } catch (error) {
      // A listener's bug must not cost the user their transcode.
      this.options.logger?.warn("transcode progress listener threw", { error: describe(error) });
    }
  }
}

/** The HLS muxer's playlist as the row's index; a playlist we cannot vouch for fails the run as the tool's fault. */
async function readIndex(playlist: string, fileSize: number) {
  const text = await readFile(playlist, "utf8").catch(() => {
    throw mediaToolFailed("bad_output", "ffmpeg wrote no HLS playlist for the rendition");
  });
  try {
    return parseHlsPlaylist(text, { fileSize });
  } catch (error) {
    if (error instanceof HlsPlaylistError) throw mediaToolFailed("bad_output", `ffmpeg's HLS playlist: ${error.message}`);
    throw error;
  }
}

/** Size and sha256 in one streaming read: memory stays flat whatever the file's size. */
async function digest(file: string): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  await pipeline(createReadStream(file), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      sizeBytes += chunk.length;
      hash.update(chunk);
    }
  });
  return { sizeBytes, sha256: hash.digest("hex") };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
