import { inject, injectable, multiInject, optional } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { Email } from "../domain/email.vo.js";
import { assertAcceptablePassword } from "../domain/password-policy.js";
import { User } from "../domain/user.entity.js";
import { NEW_USER_HOOK, type NewUserHook } from "./new-user-hook.js";
import { PASSWORD_HASHER, type PasswordHasher } from "./password-hasher.js";
import { SessionIssuer, type TokenPair } from "./session-issuer.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

export interface RegisterUserInput {
  email: string;
  password: string;
  name?: string | undefined;
}

@injectable()
export class RegisterUserUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @multiInject(NEW_USER_HOOK) @optional() private readonly hooks: readonly NewUserHook[] = [],
  ) {}

  async execute(input: RegisterUserInput): Promise<{ user: User } & TokenPair> {
    const email = Email.parse(input.email);
    assertAcceptablePassword(input.password);
    // Hash before the transaction: argon2 is deliberately slow and must not hold a connection.
    const passwordHash = await this.hasher.hash(input.password);
    const user = User.create({ email, name: input.name ?? null, passwordHash, now: this.clock.now() });
    const tokens = await this.unitOfWork.run(async () => {
      await this.users.create(user);
      for (const hook of this.hooks) await hook.onUserCreated({ id: user.id, tier: user.tier });
      await this.audit.record({ actorId: user.id, action: "user.registered", targetType: "user", targetId: user.id });
      return this.sessions.start(user.id);
    });
    return { user, ...tokens };
  }
}
