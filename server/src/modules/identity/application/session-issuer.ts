import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { newId } from "../../../shared/domain/ids.js";
import { ACCESS_TOKENS, type AccessTokens } from "./access-tokens.js";
import { generateOpaqueToken, hashOpaqueToken } from "./opaque-tokens.js";
import { SESSION_REPOSITORY, type NewRefreshToken, type SessionRepository } from "./session.repository.js";

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

/** Mints the tokens of a session; shared by sign-up, login and refresh so they cannot drift. */
@injectable()
export class SessionIssuer {
  constructor(
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(ACCESS_TOKENS) private readonly accessTokens: AccessTokens,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(userId: string): Promise<TokenPair> {
    const sessionId = newId();
    const { token, record } = this.nextRefreshToken();
    await this.sessions.createSession({ id: sessionId, userId, createdAt: this.clock.now() }, record);
    return this.pair(userId, sessionId, token);
  }

  nextRefreshToken(): { token: string; record: NewRefreshToken } {
    const token = generateOpaqueToken();
    const ttlMs = this.config.auth.refreshTokenTtlDays * 24 * 60 * 60 * 1000;
    return {
      token,
      record: { id: newId(), tokenHash: hashOpaqueToken(token), expiresAt: new Date(this.clock.now().getTime() + ttlMs) },
    };
  }

  async pair(userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.accessTokens.issue({ userId, sessionId });
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken };
  }
}
