import { DomainError } from "../domain/domain-error.js";
import { ErrorCodes } from "../domain/error-codes.js";
import type { HlsIndex } from "../domain/hls-index.js";
import type { Quality } from "../domain/quality.js";

export interface TranscodeProgress {
  /** 0–100, never decreasing within one transcode; 100 is sent once, after the outputs are in place. */
  percent: number;
  /** How far into the source the encoder is. */
  outTimeSeconds: number;
  /** Encoding speed as a multiple of real time, when the tool reports it. */
  speed?: number;
}

export interface TranscodeRequest {
  /**
   * A local file path (or file: URL), or an http(s) URL such as a presigned GET. Comes from the
   * storage adapter, never from a user. Only these protocols are opened, and only video containers.
   */
  input: string;
  quality: Quality;
  /**
   * From the probe made at upload: sizes the output and turns encoder time into a percentage.
   * frameRate as the prober reported it (null: it did not say); when absent the transcoder probes
   * the input itself, since every rung of one source must get the same output rate.
   */
  source: { width: number; height: number; durationSeconds: number; frameRate?: number | null };
  /** A directory the caller owns and cleans up; the outputs are written here. */
  workDir: string;
  signal?: AbortSignal;
  /** Called at most every ~250 ms; a throwing listener is logged and ignored. */
  onProgress?: (progress: TranscodeProgress) => void;
}

export interface TranscodedFile {
  path: string;
  width: number;
  height: number;
  sizeBytes: number;
  /** Hex. */
  sha256: string;
}

export interface TranscodeResult {
  /**
   * H.264 + AAC (when the source has audio) in one fragmented MP4, init section first, with a
   * keyframe every 2 s: the same file is the progressive download and, through `hls`, the HLS
   * variant. codecs (RFC 6381) and frameRate are measured from the file, not taken from the plan.
   */
  rendition: TranscodedFile & {
    bitrateKbps: number;
    durationSeconds: number;
    codecs: string;
    frameRate: number;
    hls: HlsIndex;
  };
  thumbnail: TranscodedFile;
}

/**
 * Turns a source into a rendition at one quality plus a JPEG thumbnail.
 *
 * Rejects with a DomainError the job runner sorts into three cases, best with transcodeFailureKind():
 * - MEDIA_UNDECODABLE, `details.permanent === true`: the source itself cannot be decoded (corrupt,
 *   not a video, no video stream). Retrying cannot help: fail the job now.
 * - MEDIA_TOOL_FAILED, `details.permanent === false`: the tool or its surroundings failed (binary
 *   missing, timeout, killed, input unreachable, disk full, anything unrecognised). Retry with backoff.
 * - TranscodeCancelledError (MEDIA_TRANSCODE_CANCELLED): the signal fired. The process is gone and
 *   partial outputs are removed before the promise settles.
 * Any other error is a bug; treat it as transient (attempts are bounded).
 */
export interface MediaTranscoder {
  transcode(request: TranscodeRequest): Promise<TranscodeResult>;
}

export const MEDIA_TRANSCODER = Symbol.for("MediaTranscoder");

export class TranscodeCancelledError extends DomainError {
  constructor(readonly reason?: unknown) {
    super(ErrorCodes.MEDIA_TRANSCODE_CANCELLED, "CONFLICT", "The transcode was cancelled", { permanent: true });
  }
}

export type TranscodeFailureKind = "cancelled" | "permanent" | "transient";

export function transcodeFailureKind(error: unknown): TranscodeFailureKind {
  if (error instanceof TranscodeCancelledError) return "cancelled";
  if (error instanceof DomainError && error.details?.permanent === true) return "permanent";
  return "transient";
}

export function undecodableMedia(message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCodes.MEDIA_UNDECODABLE, "BUSINESS_RULE", message, { ...details, permanent: true });
}

export function mediaToolFailed(reason: string, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCodes.MEDIA_TOOL_FAILED, "UNAVAILABLE", message, { ...details, reason, permanent: false });
}
