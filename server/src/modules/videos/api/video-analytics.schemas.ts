import { z } from "zod";
import { dayInput, idSchema } from "../../../shared/api/schemas.js";

export const videoAnalyticsInput = z.object({
  id: idSchema,
  /** First UTC day, inclusive; defaults to 29 days before `to` (30 days in all). */
  from: dayInput.optional(),
  /** Last UTC day, inclusive; defaults to today (UTC). At most 366 days from `from`. */
  to: dayInput.optional(),
});

export const videoAnalyticsOutput = z.object({
  /** The range answered, defaults filled in. */
  from: z.iso.date(),
  to: z.iso.date(),
  /** Views in the range: master-playlist fetches, one per playback token per 30 minutes. */
  total: z.number().int(),
  /** Every UTC day of the range, oldest first; a day without views is there with 0. */
  days: z.array(z.object({ day: z.iso.date(), views: z.number().int() })),
});
