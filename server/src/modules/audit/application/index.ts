/**
 * What the audit context offers other contexts. Anything not exported here is the context's own:
 * the ESLint layer rule refuses an import from another context past this file.
 */
export { AUDIT_LOG, type AuditLog } from "./audit-log.js";
export type { AuditAction } from "../domain/audit-action.js";
