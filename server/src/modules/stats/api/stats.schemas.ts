import { z } from "zod";
import { dayInput } from "../../../shared/api/schemas.js";
import { JOB_STATUSES, JOB_TYPES } from "../../jobs/application/index.js";
import { STORED_FILE_KINDS } from "../../videos/application/index.js";

export const platformStatsInput = z.object({
  /** First UTC day, inclusive; defaults to 29 days before `to` (30 days in all). */
  from: dayInput.optional(),
  /** Last UTC day, inclusive; defaults to today (UTC). At most 366 days from `from`. */
  to: dayInput.optional(),
});

const count = z.number().int().min(0);
const byStatus = z.object(
  Object.fromEntries(JOB_STATUSES.map((status) => [status, count])) as Record<(typeof JOB_STATUSES)[number], typeof count>,
);
const storedKind = z.object({ files: count, bytes: count });

export const platformStatsOutput = z.object({
  /** The range answered, defaults filled in. */
  from: z.iso.date(),
  to: z.iso.date(),
  /** Jobs created in the range, by type and by the status they have now; every key is present. */
  jobs: z.object(
    Object.fromEntries(JOB_TYPES.map((type) => [type, byStatus])) as Record<(typeof JOB_TYPES)[number], typeof byStatus>,
  ),
  /** Exact minutes (two decimals) of the sources of TRANSCODE jobs that succeeded in the range; each rung counts its source. */
  sourceMinutesProcessed: z.number().min(0),
  /** Ledger entries made in the range: CHARGE (as a positive number), REFUND, sign-up GRANT and ADMIN_GRANT. */
  credits: z.object({ charged: count, refunded: count, granted: count, adminGranted: count }),
  /** Everything stored now (not only in the range), per kind of file. */
  storage: z.object({
    ...(Object.fromEntries(STORED_FILE_KINDS.map((kind) => [kind, storedKind])) as Record<
      (typeof STORED_FILE_KINDS)[number],
      typeof storedKind
    >),
    totalBytes: count,
  }),
  /** Users who, in the range, signed in (or refreshed a session), created a video or a job, or did something audited. */
  activeUsers: count,
  /** Playback views in the range (master-playlist fetches, one per token per 30 minutes). */
  views: count,
});
