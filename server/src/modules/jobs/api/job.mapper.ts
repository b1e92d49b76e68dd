import type { z } from "zod";
import type { Job } from "../domain/job.entity.js";
import type { jobOutput } from "./jobs.schemas.js";

export function toJobDto(job: Job): z.infer<typeof jobOutput> {
  const state = job.toState();
  return {
    id: state.id,
    videoId: state.videoId,
    type: state.type,
    status: state.status,
    quality: state.params.quality,
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
}
