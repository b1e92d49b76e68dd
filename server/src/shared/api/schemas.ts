import { z } from "zod";

export const isoDateTime = z.iso.datetime({ offset: true });
export const idSchema = z.uuid();

export const pageInput = {
  cursor: z.string().min(1).max(512).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const okSchema = z.object({ ok: z.literal(true) });
export const OK = { ok: true } as const;
