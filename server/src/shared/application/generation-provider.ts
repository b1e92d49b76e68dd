import { DomainError } from "../domain/domain-error.js";
import { ErrorCodes } from "../domain/error-codes.js";
import type { Voice } from "../domain/voices.js";

export interface GenerationRequest {
  /**
   * Sent to a remote provider as its Idempotency-Key: our job id on the job's first run and
   * `<job id>-<n>` on its n-th retry, so the attempts of one run continue one provider video.
   */
  idempotencyKey: string;
  script: string;
  voice: Voice;
  /** The quality's box (e.g. 1280×720): the result is fitted to it. */
  width: number;
  height: number;
}

export interface GenerationRun {
  /** A local file path the result is written to (the caller owns the directory and cleans it up). */
  outputPath: string;
  /** Cancel or shutdown: stop promptly (a remote provider is told with DELETE) and reject. */
  signal: AbortSignal;
  /** 0–100, as often as the provider knows; the caller limits what it writes. */
  onProgress(percent: number): void;
}

/**
 * Turns a script into a video file. Rejects with a DomainError the job runner sorts as the
 * transcoder's failures are sorted: `details.permanent === true` fails the job at once (the
 * provider said it failed, a 4xx, a result too large; GENERATION_UNAVAILABLE while its circuit is
 * open), anything else is retried while attempts remain. The caller probes the file afterwards.
 */
export interface GenerationProvider {
  /** "local (espeak-ng + ffmpeg)" or "http (https://…)", for the start-up line. */
  readonly describe: string;
  generate(request: GenerationRequest, run: GenerationRun): Promise<void>;
}

export const GENERATION_PROVIDER = Symbol.for("GenerationProvider");

/**
 * Whether new generations can be accepted now: false while the provider's circuit is open in any
 * process (the state is shared), so the API refuses at once instead of charging for a job that
 * would fail. The local provider is always available.
 */
export interface GenerationAvailability {
  isAvailable(): Promise<boolean>;
}

export const GENERATION_AVAILABILITY = Symbol.for("GenerationAvailability");

export function generationUnavailable(details: Record<string, unknown> = {}): DomainError {
  return new DomainError(
    ErrorCodes.GENERATION_UNAVAILABLE,
    "UNAVAILABLE",
    "The generation provider is unavailable; try again later",
    { ...details, permanent: true },
  );
}

export function generationFailed(reason: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCodes.GENERATION_FAILED, "BUSINESS_RULE", `Generation failed: ${reason}`, {
    ...details,
    permanent: true,
  });
}
