import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../../../shared/application/housekeeping.js";
import { AbortUploadSession } from "./abort-upload-session.js";
import { UPLOAD_SESSION_REPOSITORY, type UploadSessionRepository } from "./upload-session.repository.js";

/**
 * Housekeeping: a resumable upload still ACTIVE past its expiry was abandoned. It is aborted as
 * uploads.abort would: parts removed in storage, the video back to DRAFT. The status change is
 * conditional, so an owner's complete or abort that wins the race is left alone.
 */
@injectable()
export class AbortExpiredUploadSessionsTask implements HousekeepingTask {
  readonly name = "expired-upload-sessions";

  constructor(
    @inject(UPLOAD_SESSION_REPOSITORY) private readonly sessions: UploadSessionRepository,
    @inject(AbortUploadSession) private readonly abortSession: AbortUploadSession,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    let aborted = 0;
    for (const id of await this.sessions.findExpiredIds(this.clock.now(), HOUSEKEEPING_BATCH)) {
      const session = await this.sessions.findById(id);
      if (session?.status === "ACTIVE" && (await this.abortSession.run(session))) aborted++;
    }
    return { aborted };
  }
}
