import { ContainerModule } from "inversify";
import { AUDIT_LOG } from "./application/audit-log.js";
import { ListAuditQuery } from "./application/list-audit.query.js";
import { PrismaAuditLog } from "./infra/prisma-audit-log.js";

export const auditModule = new ContainerModule(({ bind }) => {
  bind(AUDIT_LOG).to(PrismaAuditLog).inSingletonScope();
  bind(ListAuditQuery).toSelf().inSingletonScope();
});
