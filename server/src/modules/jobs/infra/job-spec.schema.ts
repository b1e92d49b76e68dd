import { z } from "zod";
import { QUALITIES } from "../../../shared/domain/quality.js";
import { VOICES } from "../../../shared/domain/voices.js";
import type { JobSpec } from "../domain/job-params.js";

/**
 * A job row's type and JSON params as the domain knows them, checked when read: a row written by
 * hand or by an older version fails loudly here instead of deep inside a processor.
 */
const jobSpecRow = z.discriminatedUnion("type", [
  z.object({ type: z.literal("TRANSCODE"), params: z.object({ quality: z.enum(QUALITIES) }) }),
  z.object({
    type: z.literal("GENERATE"),
    params: z.object({ quality: z.enum(QUALITIES), script: z.string().min(1), voice: z.enum(VOICES) }),
  }),
]);

export function parseJobSpec(row: { id: string; type: string; params: unknown }): JobSpec {
  const parsed = jobSpecRow.safeParse({ type: row.type, params: row.params });
  if (!parsed.success) throw new Error(`job ${row.id} has parameters its type does not allow: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
