import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import { assertAcceptablePassword } from "../domain/password-policy.js";
import type { Caller } from "../../../shared/application/caller.js";
import { GetUserQuery } from "./get-user.query.js";
import { PASSWORD_HASHER, type PasswordHasher } from "./password-hasher.js";
import { SESSION_REPOSITORY, type SessionRepository } from "./session.repository.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

@injectable()
export class ChangePasswordUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(GetUserQuery) private readonly getUser: GetUserQuery,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every other session ends: whoever knew the old password must sign in again. */
  async execute(caller: Caller, input: { currentPassword: string; newPassword: string }): Promise<void> {
    const user = await this.getUser.forWrite(caller.userId);
    if (!(await this.hasher.verify(user.passwordHash, input.currentPassword))) throw IdentityErrors.invalidCredentials();
    assertAcceptablePassword(input.newPassword);
    const now = this.clock.now();
    user.changePasswordHash(await this.hasher.hash(input.newPassword), now);
    const keep = caller.via === "session" ? caller.sessionId : undefined;
    await this.unitOfWork.run(async () => {
      await this.users.save(user);
      await this.sessions.revokeAllForUser(user.id, "password_changed", now, keep);
      await this.audit.record({ actorId: user.id, action: "user.password_changed", targetType: "user", targetId: user.id });
    });
  }
}
