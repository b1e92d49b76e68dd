import type { z } from "zod";
import type { Job } from "../domain/job.entity.js";
import type { jobOutput } from "./jobs.schemas.js";

export function toJobDto(job: Job): z.infer<typeof jobOutput> {
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
