import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import type { Video } from "../domain/video.entity.js";
import type { VideoStatus } from "../domain/video-status.js";
import { AbortUploadSession } from "./abort-upload-session.js";
import { sourceUploadKey } from "./storage-keys.js";
import { UPLOAD_SESSION_REPOSITORY, type UploadSessionRepository } from "./upload-session.repository.js";
import { VideoAccess } from "./video-access.js";

export interface SourceUploadInput {
  videoId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export interface StartedSourceUpload {
  /** In UPLOADING under `key`, not saved yet: the caller saves it once storage is ready for the bytes. */
  video: Video;
  key: string;
  now: Date;
  /** What the save is conditional on. */
  previousStatus: VideoStatus;
  previousKey: string | undefined;
}

/**
 * The steps every way of uploading a source shares (one PUT or a resumable session): the size
 * limit, the owner check, the move to UPLOADING under a fresh key, and afterwards the clean-up of
 * whatever an earlier attempt left behind.
 */
@injectable()
export class SourceUploadStart {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(UPLOAD_SESSION_REPOSITORY) private readonly sessions: UploadSessionRepository,
    @inject(AbortUploadSession) private readonly abortSession: AbortUploadSession,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(APP_CONFIG) private readonly config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async begin(caller: Caller, input: SourceUploadInput): Promise<StartedSourceUpload> {
    const { maxUploadBytes } = this.config.files;
    if (input.sizeBytes > maxUploadBytes) {
      throw new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", `Files may be at most ${maxUploadBytes} bytes`, {
        field: "sizeBytes",
        maxBytes: maxUploadBytes,
      });
    }
    const video = await this.access.owned(caller, input.videoId);
    const previousStatus = video.status;
    const previousKey = video.upload?.key;
    const key = sourceUploadKey(video.id);
    const now = this.clock.now();
    video.startUpload({ key, filename: input.filename, contentType: input.contentType, sizeBytes: input.sizeBytes }, now);
    return { video, key, now, previousStatus, previousKey };
  }

  /**
   * Once the new upload is saved, an earlier one (a single PUT, or another resumable session) can
   * never complete: its session is aborted and its bytes go. `keepSessionId` is the new session.
   */
  async supersede(started: StartedSourceUpload, keepSessionId?: string): Promise<void> {
    for (const earlier of await this.sessions.findActiveByVideo(started.video.id)) {
      if (earlier.id !== keepSessionId) await this.abortSession.run(earlier);
    }
    if (started.previousKey) await this.storage.delete(started.previousKey);
  }
}
