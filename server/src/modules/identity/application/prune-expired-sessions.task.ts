import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../../../shared/application/housekeeping.js";
import { EXPIRED_SESSIONS, type ExpiredSessions } from "./expired-sessions.js";

/** Sessions pruned per run: a backlog is worked off over several runs. */
const SESSIONS_PER_RUN = HOUSEKEEPING_BATCH * 10;

/**
 * Housekeeping: a session whose every refresh token has expired can never be refreshed again, and
 * every access token it issued expired long before (access tokens live minutes, refresh tokens
 * days), so it and its tokens are deleted. Revoked sessions go the same way once their tokens
 * expire: until then a presented token still finds its row and is refused as revoked.
 */
@injectable()
export class PruneExpiredSessionsTask implements HousekeepingTask {
  readonly name = "expired-sessions";

  constructor(
    @inject(EXPIRED_SESSIONS) private readonly sessions: ExpiredSessions,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    return { removed: await this.sessions.prune(this.clock.now(), SESSIONS_PER_RUN) };
  }
}
