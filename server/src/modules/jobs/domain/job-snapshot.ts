import type { Quality } from "../../../shared/domain/quality.js";
import type { JobSpec } from "./job-params.js";
import type { JobStatus } from "./job-status.js";
import type { Job } from "./job.entity.js";

/** A job as `jobs.get` shows it: what its events carry. A type, so it fits EventData. */
export type JobSnapshot = JobSpec & {
  id: string;
  videoId: string;
  status: JobStatus;
  quality: Quality;
  run: number;
  progress: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  creditsCharged: number;
  idempotencyKey: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export function jobSnapshot(job: Job): JobSnapshot {
  const { type: _type, params: _params, ...state } = job.toState();
  const fields = {
    id: state.id,
    videoId: state.videoId,
    status: state.status,
    quality: job.quality,
    run: state.run,
    progress: state.progress,
    attempts: state.attempts,
    maxAttempts: state.maxAttempts,
    lastError: state.lastError,
    creditsCharged: state.creditsCharged,
    idempotencyKey: state.idempotencyKey,
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
    startedAt: state.startedAt?.toISOString() ?? null,
    finishedAt: state.finishedAt?.toISOString() ?? null,
  };
  return { ...fields, ...job.spec };
}
