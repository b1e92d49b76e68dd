import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { UPLOAD_SESSION_REPOSITORY, type UploadSession, type UploadSessionRepository } from "./upload-session.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/**
 * Ends a resumable upload that will not complete (uploads.abort, a newer upload of the same video,
 * housekeeping after expiry): the session is marked ABORTED (conditionally), its parts are removed,
 * and its video goes back to DRAFT if this session's upload is still the video's.
 */
@injectable()
export class AbortUploadSession {
  constructor(
    @inject(UPLOAD_SESSION_REPOSITORY) private readonly sessions: UploadSessionRepository,
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** False when the session was no longer ACTIVE: someone else ended it first. */
  async run(session: UploadSession): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.sessions.changeStatus(session.id, "ACTIVE", "ABORTED", now))) return false;
    await this.storage.abortMultipartUpload(session.storageKey, session.storageUploadId);
    const video = await this.videos.findByIdForWrite(session.videoId);
    if (video && video.status === "UPLOADING" && video.upload?.key === session.storageKey) {
      video.rejectUpload(now);
      try {
        await this.videos.save(video, "UPLOADING");
      } catch (error) {
        // Restarted or deleted meanwhile: that write won.
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return true;
  }
}
