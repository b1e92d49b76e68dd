import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { ApiKeyScope } from "../../../shared/domain/roles.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import { ACCESS_TOKENS, type AccessTokens } from "./access-tokens.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "./api-key.repository.js";
import type { Caller } from "../../../shared/application/caller.js";
import { API_KEY_PREFIX, hashOpaqueToken } from "./opaque-tokens.js";
import { SESSION_REPOSITORY, type SessionRepository } from "./session.repository.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

/**
 * Turns an Authorization header into a Caller. The user and the session (or API key) are checked
 * on every request, so a role change, a disabled flag or a revocation takes effect at once, not
 * after 15 minutes. The repositories answer a warm request from this process's memory, kept fresh
 * by invalidations from every process (docs/adr/0014), so the check costs no round trip.
 */
@injectable()
export class AuthenticateUseCase {
  constructor(
    @inject(ACCESS_TOKENS) private readonly accessTokens: AccessTokens,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(API_KEY_REPOSITORY) private readonly apiKeys: ApiKeyRepository,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `scope` is what an API key must carry for the procedure; sessions carry every scope. */
  async execute(authorization: string | null, scope?: ApiKeyScope): Promise<Caller> {
    const [scheme, credential, ...rest] = (authorization ?? "").trim().split(/\s+/);
    if (!scheme || !credential || rest.length > 0) throw IdentityErrors.invalidAccessToken();
    switch (scheme.toLowerCase()) {
      case "bearer":
        return this.fromAccessToken(credential);
      case "apikey":
        return this.fromApiKey(credential, scope);
      default:
        throw IdentityErrors.invalidAccessToken();
    }
  }

  private async fromAccessToken(token: string): Promise<Caller> {
    const claims = await this.accessTokens.verify(token);
    const [user, sessionActive] = await Promise.all([
      this.users.findById(claims.userId),
      this.sessions.isSessionActive(claims.sessionId, claims.userId),
    ]);
    if (!user || !sessionActive) throw IdentityErrors.invalidAccessToken();
    user.assertActive();
    return { via: "session", userId: user.id, role: user.role, tier: user.tier, sessionId: claims.sessionId };
  }

  private async fromApiKey(key: string, scope: ApiKeyScope | undefined): Promise<Caller> {
    if (!key.startsWith(API_KEY_PREFIX)) throw IdentityErrors.invalidApiKey();
    const apiKey = await this.apiKeys.findByHash(hashOpaqueToken(key));
    if (!apiKey || apiKey.isRevoked) throw IdentityErrors.invalidApiKey();
    const user = await this.users.findById(apiKey.userId);
    if (!user) throw IdentityErrors.invalidApiKey();
    user.assertActive();
    const now = this.clock.now();
    // A valid key was used, even if this procedure is outside its scopes: last use says so.
    if (apiKey.needsLastUsedUpdate(now)) await this.apiKeys.touchLastUsed(apiKey.id, now);
    if (scope && !apiKey.allows(scope)) throw IdentityErrors.apiKeyScopeMissing(scope);
    return { via: "apiKey", userId: user.id, role: user.role, tier: user.tier, apiKeyId: apiKey.id, scopes: apiKey.scopes };
  }
}
