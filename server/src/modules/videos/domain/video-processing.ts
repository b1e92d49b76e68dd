import type { VideoStatus } from "./video-status.js";
import { VideoErrors } from "./video.errors.js";

/**
 * How processing jobs move a video (docs/product-contract.md §1.2, docs/adr/0013). Several jobs may run on one video
 * (one per quality asked for), so the video's status sums them up:
 * - processing may be asked for once the source is uploaded and probed, also while other jobs
 *   run, and again after a failure; a READY video stays READY while it gains another rendition;
 * - any success makes the video READY;
 * - when the last active job ends without success, the video is READY if an earlier rendition
 *   exists, else FAILED after a failure, or back to UPLOADED after a cancellation.
 */
const PROCESSABLE: readonly VideoStatus[] = ["UPLOADED", "PROCESSING", "READY", "FAILED"];

export function assertProcessable(status: VideoStatus): void {
  if (!PROCESSABLE.includes(status)) throw VideoErrors.invalidState(status, "PROCESSING");
}

/** The status once a job is accepted, or null to leave it as it is. */
export function statusWhenJobStarts(status: VideoStatus): "PROCESSING" | null {
  return status === "UPLOADED" || status === "FAILED" ? "PROCESSING" : null;
}

export type JobEnd = "SUCCEEDED" | "FAILED" | "CANCELLED";

/** The status once a job has ended, or null to leave it as it is. */
export function statusWhenJobEnds(
  status: VideoStatus,
  facts: { end: JobEnd; otherJobsActive: boolean; hasRendition: boolean },
): "READY" | "FAILED" | "UPLOADED" | null {
  if (status !== "PROCESSING") return null;
  if (facts.end === "SUCCEEDED" || facts.hasRendition) return "READY";
  if (facts.otherJobsActive) return null;
  return facts.end === "FAILED" ? "FAILED" : "UPLOADED";
}
