import type { VideoStatus } from "./video-status.js";
import { VideoErrors } from "./video.errors.js";

/**
 * How processing jobs move a video (docs/product-contract.md §1.2, docs/adr/0013). Several jobs may run on one video
 * (one per quality asked for), so the video's status sums them up:
 * - processing may be asked for once the source is uploaded and probed, also while other jobs
 *   run, and again after a failure; a READY video stays READY while it gains another rendition;
 * - any success makes the video READY;
 * - when the last active job ends without success, the video is READY if an earlier rendition
 *   exists, else FAILED after a failure, or back to UPLOADED after a cancellation (FAILED when it
 *   has no source to go back to: a generated video);
 * - a generation starts on a DRAFT video (or a FAILED one with no source) and makes its source.
 */
const PROCESSABLE: readonly VideoStatus[] = ["UPLOADED", "PROCESSING", "READY", "FAILED"];
/** A generation makes the video's source: a fresh video, or one whose generation failed (jobs.retry). */
const GENERATABLE: readonly VideoStatus[] = ["DRAFT", "FAILED"];

/** Where a job's input comes from: the video's source, or nothing (the job makes the source). */
export type JobInput = "source" | "none";

export function assertProcessable(status: VideoStatus): void {
  if (!PROCESSABLE.includes(status)) throw VideoErrors.invalidState(status, "PROCESSING");
}

/** May a job with that input start on the video as it is now? */
export function assertAcceptsJob(video: { status: VideoStatus; hasSource: boolean }, input: JobInput): void {
  const allowed =
    input === "source"
      ? PROCESSABLE.includes(video.status) && video.hasSource
      : GENERATABLE.includes(video.status) && !video.hasSource;
  if (!allowed) throw VideoErrors.invalidState(video.status, "PROCESSING");
}

/** The status once a job is accepted, or null to leave it as it is. */
export function statusWhenJobStarts(status: VideoStatus): "PROCESSING" | null {
  return status === "UPLOADED" || status === "FAILED" || status === "DRAFT" ? "PROCESSING" : null;
}

export type JobEnd = "SUCCEEDED" | "FAILED" | "CANCELLED";

/** The status once a job has ended, or null to leave it as it is. */
export function statusWhenJobEnds(
  status: VideoStatus,
  facts: { end: JobEnd; otherJobsActive: boolean; hasRendition: boolean; hasSource: boolean },
): "READY" | "FAILED" | "UPLOADED" | null {
  if (status !== "PROCESSING") return null;
  if (facts.end === "SUCCEEDED" || facts.hasRendition) return "READY";
  if (facts.otherJobsActive) return null;
  // A cancelled generation has no source to go back to: it failed, and may be retried.
  return facts.end === "FAILED" || !facts.hasSource ? "FAILED" : "UPLOADED";
}
