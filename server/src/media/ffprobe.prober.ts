import { execFile, type ExecFileException } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Logger } from "../shared/application/logger.js";
import { DomainError } from "../shared/domain/domain-error.js";
import { ErrorCodes } from "../shared/domain/error-codes.js";
import type { MediaProbe, MediaProber } from "../shared/application/media-prober.js";
import { codecsOf } from "./codec-strings.js";
import { parseRate } from "./frame-rate.js";

export interface FfprobeProberOptions {
  /** From resolveMediaBinaries(); a bare name is looked up on PATH. */
  ffprobePath: string;
  /** The whole run, network reads included. Default 30 s. */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Demuxers we let ffprobe pick. Everything else (images, text rendered as "video" by the tty
 * demuxer, audio-only containers, and playlists such as HLS or concat that make ffprobe open
 * further files or URLs named inside an untrusted upload) fails with "Format not on whitelist".
 */
export const VIDEO_FORMATS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,ogg,asf,mxf";
/** Formats that yield a "video" stream but are a picture or text; a second line behind the whitelist. */
const PICTURE_FORMATS = /^(image2|[a-z0-9]+_pipe|gif|apng|webp|tty|bin|xbin|adf|idf)$/;

const ToolFailure = (reason: string, message: string) =>
  new DomainError(ErrorCodes.MEDIA_TOOL_FAILED, "UNAVAILABLE", message, { reason });

/** ffprobe prints numbers as strings ("1.000000"); anything unparseable is treated as absent. */
const numeric = z.union([z.string(), z.number()]).optional().catch(undefined);

// Untrusted: the values describe a file someone uploaded. Only the fields we read are declared.
const streamSchema = z.object({
  codec_type: z.string().optional().catch(undefined),
  codec_name: z.string().optional().catch(undefined),
  profile: z.string().optional().catch(undefined),
  level: z.number().optional().catch(undefined),
  avg_frame_rate: z.string().optional().catch(undefined),
  r_frame_rate: z.string().optional().catch(undefined),
  width: z.number().optional().catch(undefined),
  height: z.number().optional().catch(undefined),
  duration: numeric,
  nb_frames: numeric,
  disposition: z.record(z.string(), z.unknown()).optional().catch(undefined),
  tags: z.record(z.string(), z.unknown()).optional().catch(undefined),
  side_data_list: z.array(z.record(z.string(), z.unknown())).optional().catch(undefined),
});
const outputSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({ format_name: z.string().optional().catch(undefined), duration: numeric }).optional(),
});
type FfprobeStream = z.infer<typeof streamSchema>;
export type FfprobeOutput = z.infer<typeof outputSchema>;

/**
 * Reads media facts with ffprobe. null means "not a video" (unparseable, picture, audio only);
 * a DomainError MEDIA_TOOL_FAILED means the probe could not be made at all (binary missing,
 * timeout, storage unreachable), so the caller must not blame the file.
 */
export class FfprobeProber implements MediaProber {
  private readonly timeoutMs: number;

  constructor(private readonly options: FfprobeProberOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async probe(location: string): Promise<MediaProbe | null> {
    const input = toInput(location);
    const started = performance.now();
    const args = ["-v", "error", "-protocol_whitelist", input.protocols, "-format_whitelist", VIDEO_FORMATS];
    // -i makes the location an option value: it can never be read as an option itself.
    args.push("-print_format", "json", "-show_format", "-show_streams", "-i", input.arg);
    const run = await this.run(args);
    const meta = { location: input.redacted, ms: Math.round(performance.now() - started) };

    if (run.error) {
      const { error } = run;
      const stderr = tail(run.stderr, location, input.redacted);
      if (error.code === "ENOENT" || error.code === "EACCES") {
        throw ToolFailure("binary_missing", `ffprobe could not be started (${error.code}): ${this.options.ffprobePath}`);
      }
      if (error.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
        // A real video describes itself in a few KiB; megabytes of streams is a hostile or broken file.
        this.options.logger?.warn("ffprobe output too large; treating as not a video", meta);
        return null;
      }
      if (error.killed) throw ToolFailure("timeout", `ffprobe did not finish within ${this.timeoutMs} ms`);
      if (await input.unreachable(stderr)) {
        this.options.logger?.warn("ffprobe could not read the input", { ...meta, stderr });
        throw ToolFailure("input_unreachable", "ffprobe could not read the stored file");
      }
      // Non-zero exit (or a crash) on a readable input: the bytes are not a video we can decode.
      this.options.logger?.debug("ffprobe rejected the input", { ...meta, exit: error.code ?? error.signal, stderr });
      return null;
    }

    let json: unknown;
    try {
      json = JSON.parse(run.stdout);
    } catch {
      // Exit 0 with non-JSON: whatever FFPROBE_PATH points to is not an ffprobe we understand.
      throw ToolFailure("bad_output", "ffprobe printed output that is not JSON");
    }
    const parsed = outputSchema.safeParse(json);
    if (!parsed.success) throw ToolFailure("bad_output", "ffprobe printed JSON of an unexpected shape");
    const probe = interpretFfprobeOutput(parsed.data);
    this.options.logger?.debug("ffprobe finished", { ...meta, video: probe !== null });
    return probe;
  }

  private run(args: string[]): Promise<{ error: ExecFileException | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        this.options.ffprobePath,
        args,
        {
          timeout: this.timeoutMs,
          killSignal: "SIGKILL", // a read blocked on a dead peer may not honour SIGTERM promptly
          maxBuffer: 4 * 1024 * 1024,
          encoding: "utf8",
          windowsHide: true,
          env: childEnv(),
        },
        (error, stdout, stderr) => resolve({ error, stdout, stderr }),
      );
    });
  }
}

/** Exported for unit tests: the decision "is this a video, and what are its facts" on parsed output. */
export function interpretFfprobeOutput(output: FfprobeOutput): MediaProbe | null {
  const formatName = output.format?.format_name ?? "";
  if (formatName.split(",").some((name) => PICTURE_FORMATS.test(name))) return null;

  // Cover art (an mp3's or m4a's attached picture) is a "video" stream but not a video.
  const video = output.streams.find(
    (stream) =>
      stream.codec_type === "video" &&
      !flag(stream, "attached_pic") &&
      !flag(stream, "still_image") &&
      !!stream.codec_name &&
      (stream.width ?? 0) > 0 &&
      (stream.height ?? 0) > 0,
  );
  if (!video?.codec_name || !video.width || !video.height) return null;
  // Fragmented MP4 and Matroska omit nb_frames, so only an explicit single frame means "a picture".
  if (toNumber(video.nb_frames) === 1) return null;

  const durationSeconds = positive(toNumber(output.format?.duration)) ?? positive(toNumber(video.duration));
  if (durationSeconds === undefined) return null;

  // Display size, not coded size: a phone's portrait clip is stored landscape with a 90° rotation.
  const quarterTurn = Math.abs(rotation(video)) % 180 === 90;
  const audio = output.streams.find((stream) => stream.codec_type === "audio" && !!stream.codec_name);
  return {
    durationSeconds,
    width: quarterTurn ? video.height : video.width,
    height: quarterTurn ? video.width : video.height,
    videoCodec: video.codec_name,
    audioCodec: audio?.codec_name ?? null,
    formatName,
    // The average first: a phone's variable-rate clip has a meaningless r_frame_rate (e.g. 90000).
    frameRate: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate) ?? null,
    codecs: codecsOf(
      { name: video.codec_name, profile: video.profile, level: video.level },
      audio?.codec_name ? { name: audio.codec_name, profile: audio.profile } : null,
    ),
  };
}

export interface ProbeInput {
  arg: string;
  protocols: string;
  /** Safe for logs: a presigned URL's query string is a credential. */
  redacted: string;
  unreachable(stderr: string): Promise<boolean>;
}

const NETWORK_FAILURE =
  /Server returned [45]\d\d|Connection refused|timed out|Network is unreachable|No route to host|Failed to resolve|Name or service not known|Connection reset/i;

export function toInput(location: string): ProbeInput {
  // Locations come from the storage adapter, never straight from a user; these are bugs, not files.
  if (location === "" || location.startsWith("-") || location.includes("\0")) {
    throw new Error(`Refusing to probe ${JSON.stringify(location.slice(0, 40))}: not a path or an http(s) URL`);
  }
  if (/^https?:\/\//i.test(location)) {
    const url = new URL(location); // throws on a malformed URL before anything runs
    return {
      arg: location, // as given: re-serialising could change a signed query string
      protocols: "http,https,tcp,tls",
      redacted: `${url.origin}${url.pathname}`,
      unreachable: async (stderr) => NETWORK_FAILURE.test(stderr),
    };
  }
  const file = path.resolve(/^file:/i.test(location) ? fileURLToPath(location) : location);
  return {
    // The file: prefix stops a ':' in the path from being read as a protocol (concat:, subfile:, …).
    arg: `file:${file}`,
    protocols: "file",
    redacted: file,
    unreachable: async () => {
      try {
        await access(file, constants.R_OK);
        return false;
      } catch {
        return true; // storage said the object exists; a vanished or unreadable file is not the upload's fault
      }
    },
  };
}

/** ffprobe needs no secrets from our environment; proxies are passed on so http inputs still work. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: "C" };
  for (const name of ["PATH", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

function flag(stream: FfprobeStream, name: string): boolean {
  return toNumber(stream.disposition?.[name]) === 1;
}

/** Newer ffprobe reports a display-matrix side datum; older ones a "rotate" tag. */
function rotation(stream: FfprobeStream): number {
  for (const entry of stream.side_data_list ?? []) {
    const value = toNumber(entry.rotation);
    if (value !== undefined) return value;
  }
  return toNumber(stream.tags?.rotate) ?? 0;
}

function toNumber(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function tail(stderr: string, location: string, redacted: string): string {
  return stderr.split(location).join(redacted).trim().slice(-500);
}
