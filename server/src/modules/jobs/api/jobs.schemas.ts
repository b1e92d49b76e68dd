import { z } from "zod";
import { idSchema, isoDateTime, pageInput, pageOutput } from "../../../shared/api/schemas.js";
import { QUALITIES } from "../../../shared/domain/quality.js";
import { JOB_STATUSES, JOB_TYPES } from "../domain/job-status.js";

export const qualitySchema = z.enum(QUALITIES);

/** Printable ASCII only: a key is compared byte for byte and shown back in logs. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 printable ASCII characters, no spaces");

export const processVideoInput = z.object({
  id: idSchema,
  quality: qualitySchema,
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const jobIdInput = z.object({ id: idSchema });

export const listJobsInput = z.object({
  ...pageInput,
  videoId: idSchema.optional(),
  status: z.enum(JOB_STATUSES).optional(),
  type: z.enum(JOB_TYPES).optional(),
});

export const watchJobInput = z.object({
  id: idSchema,
  /** Sent back by the client on reconnect (tRPC tracked events); a job revision. */
  lastEventId: z.string().max(32).nullish(),
});

export const jobOutput = z.object({
  id: idSchema,
  videoId: idSchema,
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  quality: qualitySchema,
  progress: z.number().int().min(0).max(100),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  creditsCharged: z.number().int(),
  idempotencyKey: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
});

export const jobPageOutput = pageOutput(jobOutput);

export const jobProgressOutput = z.object({
  jobId: idSchema,
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().min(0).max(100),
  error: z.string().nullable(),
});
