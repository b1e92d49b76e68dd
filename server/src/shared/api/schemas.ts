import { z } from "zod";
import { isCursor } from "../application/pagination.js";
import { isStorableDate } from "../domain/date-range.js";

/** A UTF-16 surrogate without its partner: not Unicode at all, so no database can store it as text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Every text input starts here (`text.trim().max(100)`), so no procedure can forget it.
 * PostgreSQL refuses U+0000 in text columns (22021, a 500 if it gets that far); a lone surrogate
 * is either refused the same way or silently stored as U+FFFD, depending on the driver. Both are
 * the caller's mistake: a 400 naming the field.
 */
export const text = z
  .string()
  .refine((value) => !value.includes("\u0000"), "must not contain NUL characters")
  .refine((value) => !LONE_SURROGATE.test(value), "must be well-formed Unicode (no lone surrogates)");

/** ISO 8601 with an offset, as every output is; see date-range.ts for why inputs are bounded. */
export const isoDateTime = z.iso.datetime({ offset: true });
export const dateTimeInput = isoDateTime.refine(
  (value) => isStorableDate(new Date(value)),
  "must be between the years 1000 and 9999 (UTC)",
);

/** A UTC calendar day ("YYYY-MM-DD"), bounded like dateTimeInput; ranges of days are checked in day-range.ts. */
export const dayInput = z.iso
  .date()
  .refine((value) => isStorableDate(new Date(`${value}T00:00:00.000Z`)), "must be between the years 1000 and 9999");

export const idSchema = z.uuid();

export const pageInput = {
  // Checked here as well as where it is decoded, so a crafted cursor fails with the field named.
  cursor: text.min(1).max(512).refine(isCursor, "is not a cursor this API issued").optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const okSchema = z.object({ ok: z.literal(true) });
export const OK = { ok: true } as const;
