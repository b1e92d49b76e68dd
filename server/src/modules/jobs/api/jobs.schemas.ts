import { z } from "zod";
import { idSchema, isoDateTime, pageInput, pageOutput, text } from "../../../shared/api/schemas.js";
import { QUALITIES } from "../../../shared/domain/quality.js";
import { SCRIPT_MAX_LENGTH, VOICES } from "../../../shared/domain/voices.js";
import { TITLE_MAX_LENGTH } from "../../videos/application/index.js";
import { JOB_STATUSES, JOB_TYPES } from "../domain/job-status.js";

export const qualitySchema = z.enum(QUALITIES);

/** Printable ASCII only: a key is compared byte for byte and shown back in logs. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 printable ASCII characters, no spaces");

export const processVideoInput = z.object({
  id: idSchema,
  quality: qualitySchema,
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const processLadderInput = z.object({
  id: idSchema,
  maxQuality: qualitySchema.optional().describe("The highest rung (default: the highest your tier may ask for)"),
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const voiceSchema = z.enum(VOICES).describe("An espeak-ng voice: en-us (default), en-gb, de, fr, es, it");

export const generateVideoInput = z.object({
  title: text.trim().min(1).max(TITLE_MAX_LENGTH),
  script: text.trim().min(1).max(SCRIPT_MAX_LENGTH),
  quality: qualitySchema,
  voice: voiceSchema.optional(),
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

const jobFields = {
  id: idSchema,
  videoId: idSchema,
  status: z.enum(JOB_STATUSES),
  /** Every job type renders at one quality; also in `params`. */
  quality: qualitySchema,
  /** 1 for the first run, one more for each jobs.retry. */
  run: z.number().int().min(1),
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
};

/** What each job type carries, told apart by `type`. */
export const jobOutput = z.discriminatedUnion("type", [
  z.object({ ...jobFields, type: z.literal("TRANSCODE"), params: z.object({ quality: qualitySchema }) }),
  z.object({
    ...jobFields,
    type: z.literal("GENERATE"),
    params: z.object({ quality: qualitySchema, script: z.string(), voice: voiceSchema }),
  }),
]);

export const jobPageOutput = pageOutput(jobOutput);

export const jobProgressOutput = z.object({
  jobId: idSchema,
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().min(0).max(100),
  error: z.string().nullable(),
});

export const quoteVideoInput = z.object({ id: idSchema });

const credits = z.number().int().nonnegative();

export const quoteVideoOutput = z.object({
  videoId: z.string(),
  durationSeconds: z.number().nonnegative(),
  balance: credits.describe("The caller's balance now"),
  qualities: z.array(
    z.object({
      quality: qualitySchema,
      cost: credits.describe("What videos.process charges for this quality now"),
      allowedForTier: z.boolean(),
      covered: z
        .enum(["READY", "ACTIVE"])
        .nullable()
        .describe("READY: the rendition exists; ACTIVE: a job for it is queued or running; either way videos.process refuses it"),
      inLadder: z.boolean().describe("Whether videos.processLadder (default maximum) would start this rung now"),
    }),
  ),
  ladder: z.object({
    qualities: z.array(qualitySchema).describe("The rungs videos.processLadder would start now, lowest first"),
    cost: credits.describe("What those rungs charge together"),
  }),
});
