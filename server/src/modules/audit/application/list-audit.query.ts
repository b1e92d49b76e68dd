import { inject, injectable } from "inversify";
import type { Page } from "../../../shared/application/pagination.js";
import type { AuditRecord } from "../domain/audit-action.js";
import { AUDIT_LOG, type AuditListFilter, type AuditLog } from "./audit-log.js";

@injectable()
export class ListAuditQuery {
  constructor(@inject(AUDIT_LOG) private readonly audit: AuditLog) {}

  execute(filter: AuditListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<AuditRecord>> {
    return this.audit.list(filter, page);
  }
}
