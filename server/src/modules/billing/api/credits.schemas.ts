import { z } from "zod";
import { idSchema, isoDateTime, pageInput, pageOutput } from "../../../shared/api/schemas.js";
import { QUALITIES } from "../../../shared/domain/quality.js";
import { MAX_ADMIN_GRANT } from "../domain/credit-rules.js";
import { CREDIT_ENTRY_KINDS, type CreditEntry } from "../domain/credit-entry.js";

export const balanceOutput = z.object({ balance: z.number().int().nonnegative() });

export const pricesOutput = z.object({
  generation: z.number().int().positive().describe("What videos.generate charges, whatever the script's length"),
  transcodePerMinute: z
    .object({ P360: z.number().int().positive(), P720: z.number().int().positive(), P1080: z.number().int().positive() })
    .describe("What videos.process charges per started minute of the source (one minute at least); videos.quote prices a video"),
  allowedQualities: z
    .array(z.enum(QUALITIES))
    .describe("The qualities the caller's tier may ask for (videos.process, videos.generate), lowest first"),
});

export const ledgerInput = z.object(pageInput);

/** `amount` is signed: negative for a CHARGE, positive otherwise; `balanceAfter` = previous + amount. */
const creditEntryOutput = z.object({
  id: idSchema,
  kind: z.enum(CREDIT_ENTRY_KINDS),
  amount: z.number().int(),
  balanceAfter: z.number().int().nonnegative(),
  jobId: idSchema.nullable(),
  reason: z.string().nullable(),
  createdAt: isoDateTime,
});

export const ledgerOutput = pageOutput(creditEntryOutput);

export const grantCreditsInput = z.object({
  userId: idSchema,
  amount: z.number().int().min(1).max(MAX_ADMIN_GRANT),
  reason: z.string().trim().min(1).max(500).optional(),
});

export function toCreditEntryDto(entry: CreditEntry): z.infer<typeof creditEntryOutput> {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: entry.amount,
    balanceAfter: entry.balanceAfter,
    jobId: entry.jobId,
    reason: entry.reason,
    createdAt: entry.createdAt.toISOString(),
  };
}
