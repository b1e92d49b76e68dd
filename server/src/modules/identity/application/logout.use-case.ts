import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { Caller } from "../../../shared/application/caller.js";
import { hashOpaqueToken } from "./opaque-tokens.js";
import { SESSION_REPOSITORY, type SessionRepository } from "./session.repository.js";

@injectable()
export class LogoutUseCase {
  constructor(
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Ends the session the refresh token belongs to; someone else's token is ignored, not revealed. */
  async execute(caller: Caller, input: { refreshToken: string }): Promise<void> {
    const stored = await this.sessions.findRefreshToken(hashOpaqueToken(input.refreshToken));
    if (stored && stored.userId === caller.userId) {
      await this.sessions.revokeSession(stored.sessionId, "logout", this.clock.now());
    }
  }
}
