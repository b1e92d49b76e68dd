import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { AuditLog as AuditLogRow } from "../../../generated/prisma/client.js";
import { keysetPage } from "../../../database/keyset.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import { newId } from "../../../shared/domain/ids.js";
import { currentRequestContext } from "../../../shared/request-context.js";
import type { AuditListFilter, AuditLog } from "../application/audit-log.js";
import type { AuditEntry, AuditRecord } from "../domain/audit-action.js";

@injectable()
export class PrismaAuditLog implements AuditLog {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    const request = currentRequestContext();
    await this.db.client.auditLog.create({
      data: {
        id: newId(),
        actorId: entry.actorId,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        metadata: entry.metadata ?? {},
        ip: request?.ip ?? null,
        correlationId: request?.correlationId ?? null,
      },
    });
  }

  async list(filter: AuditListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<AuditRecord>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.auditLog.findMany({
      where: {
        AND: [
          filter.actorId ? { actorId: filter.actorId } : {},
          filter.action ? { action: filter.action } : {},
          filter.from || filter.to
            ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
            : {},
          after,
        ],
      },
      ...order,
    });
    return toPage(rows, page.limit, toRecord);
  }
}

function toRecord(row: AuditLogRow): AuditRecord {
  return {
    id: row.id,
    actorId: row.actorId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    metadata: isFlatRecord(row.metadata) ? row.metadata : {},
    ip: row.ip,
    correlationId: row.correlationId,
    createdAt: row.createdAt,
  };
}

function isFlatRecord(value: unknown): value is Record<string, string | number | boolean | null> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
