import { inject, injectable, multiInject, optional } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { Email } from "../domain/email.vo.js";
import { assertAcceptablePassword } from "../domain/password-policy.js";
import { User } from "../domain/user.entity.js";
import { NEW_USER_HOOK, type NewUserHook } from "./new-user-hook.js";
import { PASSWORD_HASHER, type PasswordHasher } from "./password-hasher.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

const RACE_LOST = new Set<string>([ErrorCodes.CONCURRENT_MODIFICATION, ErrorCodes.EMAIL_TAKEN]);

/**
 * Makes sure an administrator exists: creates the account, or promotes an existing one.
 * An existing account keeps its password, so re-running this on every start is harmless.
 */
@injectable()
export class BootstrapAdminUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @multiInject(NEW_USER_HOOK) @optional() private readonly hooks: readonly NewUserHook[] = [],
  ) {}

  async execute(input: { email: string; password: string }): Promise<{ user: User; created: boolean }> {
    try {
      return await this.ensureAdmin(input);
    } catch (error) {
      // Replicas starting together race here; the loser's second look finds the winner's account.
      if (error instanceof DomainError && RACE_LOST.has(error.code)) return this.ensureAdmin(input);
      throw error;
    }
  }

  private async ensureAdmin(input: { email: string; password: string }): Promise<{ user: User; created: boolean }> {
    const email = Email.parse(input.email);
    const existing = await this.users.findByEmail(email.value);
    if (existing) {
      if (!existing.isAdmin) {
        existing.changeRole("ADMIN", existing, this.clock.now());
        await this.users.save(existing);
      }
      return { user: existing, created: false };
    }
    assertAcceptablePassword(input.password);
    const user = User.create({
      email,
      passwordHash: await this.hasher.hash(input.password),
      role: "ADMIN",
      now: this.clock.now(),
    });
    // The same hooks as a sign-up (the credit grant), in the same transaction as the account.
    await this.unitOfWork.run(async () => {
      await this.users.create(user);
      for (const hook of this.hooks) await hook.onUserCreated({ id: user.id, tier: user.tier });
    });
    return { user, created: true };
  }
}
