import { inject, injectable } from "inversify";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { Email } from "../domain/email.vo.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { User } from "../domain/user.entity.js";
import { PASSWORD_HASHER, type PasswordHasher } from "./password-hasher.js";
import { SessionIssuer, type TokenPair } from "./session-issuer.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

@injectable()
export class LoginUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
  ) {}

  async execute(input: { email: string; password: string }): Promise<{ user: User } & TokenPair> {
    const email = Email.parse(input.email).value;
    const user = await this.users.findByEmail(email);
    // An unknown email still costs one hash, so response time does not reveal which emails exist.
    const passwordOk = user
      ? await this.hasher.verify(user.passwordHash, input.password)
      : await this.hasher.verify(await this.dummyHash(), input.password).then(() => false);
    if (!user || !passwordOk) {
      await this.audit.record({
        actorId: user?.id ?? null,
        action: "auth.login_failed",
        targetType: "user",
        ...(user ? { targetId: user.id } : {}),
        metadata: { email, reason: user ? "bad_password" : "unknown_email" },
      });
      throw IdentityErrors.invalidCredentials();
    }
    user.assertActive();
    return { user, ...(await this.sessions.start(user.id)) };
  }

  private dummy: Promise<string> | undefined;
  private dummyHash(): Promise<string> {
    this.dummy ??= this.hasher.hash("reelbase-timing-equalizer");
    return this.dummy;
  }
}
