import type { Page } from "../../../shared/application/pagination.js";
import type { AuditAction, AuditEntry, AuditRecord } from "../domain/audit-action.js";

export interface AuditListFilter {
  actorId?: string | undefined;
  action?: AuditAction | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Records who did what. The adapter adds the request's IP and correlation id itself. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(filter: AuditListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<AuditRecord>>;
}

export const AUDIT_LOG = Symbol.for("AuditLog");
