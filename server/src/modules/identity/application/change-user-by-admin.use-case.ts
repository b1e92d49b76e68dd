import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import type { Role, Tier } from "../../../shared/domain/roles.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import type { AuditAction } from "../../audit/application/index.js";
import type { User } from "../domain/user.entity.js";
import { GetUserQuery } from "./get-user.query.js";
import { SESSION_REPOSITORY, type SessionRepository } from "./session.repository.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

type AdminChange = { kind: "role"; value: Role } | { kind: "tier"; value: Tier } | { kind: "disabled"; value: boolean };

const ACTION_OF: Record<AdminChange["kind"], AuditAction> = {
  role: "user.role_changed",
  tier: "user.tier_changed",
  disabled: "user.disabled_changed",
};

/** setRole, setTier and setDisabled: one audited path, so none of them can skip the audit row. */
@injectable()
export class ChangeUserByAdminUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(GetUserQuery) private readonly getUser: GetUserQuery,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, userId: string, change: AdminChange): Promise<User> {
    const [admin, user] = await Promise.all([this.getUser.execute(caller.userId), this.getUser.forWrite(userId)]);
    const now = this.clock.now();
    const before = user.toState()[change.kind];
    if (change.kind === "role") user.changeRole(change.value, admin, now);
    if (change.kind === "tier") user.changeTier(change.value, now);
    if (change.kind === "disabled") user.setDisabled(change.value, admin, now);
    await this.unitOfWork.run(async () => {
      await this.users.save(user);
      if (change.kind === "disabled" && change.value) await this.sessions.revokeAllForUser(user.id, "disabled", now);
      await this.audit.record({
        actorId: admin.id,
        action: ACTION_OF[change.kind],
        targetType: "user",
        targetId: user.id,
        metadata: { from: before, to: change.value },
      });
    });
    return user;
  }
}
