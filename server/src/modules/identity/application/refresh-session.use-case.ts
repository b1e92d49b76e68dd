import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import { assessRefreshToken } from "../domain/refresh-token.js";
import { hashOpaqueToken } from "./opaque-tokens.js";
import { SessionIssuer, type TokenPair } from "./session-issuer.js";
import { SESSION_REPOSITORY, type SessionRepository, type StoredRefreshToken } from "./session.repository.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

@injectable()
export class RefreshSessionUseCase {
  constructor(
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SessionIssuer) private readonly issuer: SessionIssuer,
  ) {}

  async execute(input: { refreshToken: string }): Promise<TokenPair> {
    const now = this.clock.now();
    const stored = await this.sessions.findRefreshToken(hashOpaqueToken(input.refreshToken));
    if (!stored) throw IdentityErrors.invalidRefreshToken();
    const verdict = assessRefreshToken(stored, now);
    if (verdict === "reused") return this.burnFamily(stored, now);
    if (verdict !== "valid") throw IdentityErrors.invalidRefreshToken();

    const user = await this.users.findById(stored.userId);
    if (!user) throw IdentityErrors.invalidRefreshToken();
    user.assertActive();

    const next = this.issuer.nextRefreshToken();
    const rotated = await this.sessions.rotate(stored.id, stored.sessionId, next.record, now);
    // Losing the race means the same token was presented twice at once: that is reuse too.
    if (!rotated) return this.burnFamily(stored, now);
    return this.issuer.pair(user.id, stored.sessionId, next.token);
  }

  private async burnFamily(token: StoredRefreshToken, now: Date): Promise<never> {
    await this.sessions.revokeSession(token.sessionId, "refresh_token_reuse", now);
    await this.audit.record({
      actorId: token.userId,
      action: "auth.refresh_reused",
      targetType: "session",
      targetId: token.sessionId,
    });
    throw IdentityErrors.refreshTokenReused();
  }
}
