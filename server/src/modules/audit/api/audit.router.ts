import { z } from "zod";
import { dateTimeInput, idSchema, isoDateTime, pageInput, pageOutput } from "../../../shared/api/schemas.js";
import { adminProcedure, router } from "../../../trpc/init.js";
import { ListAuditQuery } from "../application/list-audit.query.js";
import { AUDIT_ACTIONS, type AuditRecord } from "../domain/audit-action.js";

const auditRecordOutput = z.object({
  id: idSchema,
  actorId: idSchema.nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  ip: z.string().nullable(),
  correlationId: z.string().nullable(),
  createdAt: isoDateTime,
});

const listAuditInput = z.object({
  ...pageInput,
  actorId: idSchema.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: dateTimeInput.optional(),
  to: dateTimeInput.optional(),
});

export const auditRouter = router({
  list: adminProcedure
    .input(listAuditInput)
    .output(pageOutput(auditRecordOutput))
    .query(async ({ ctx, input: { cursor, limit, from, to, ...filter } }) => {
      const page = await ctx
        .resolve(ListAuditQuery)
        .execute({ ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }, { cursor, limit });
      return { items: page.items.map(toDto), nextCursor: page.nextCursor };
    }),
});

function toDto(record: AuditRecord): z.infer<typeof auditRecordOutput> {
  return { ...record, createdAt: record.createdAt.toISOString() };
}
