import { inject, injectable } from "inversify";
import { VIDEO_JOBS, type VideoJobs } from "./video-jobs.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { LOGGER, type Logger } from "../../../shared/application/logger.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import type { Caller } from "../../../shared/application/caller.js";
import { ObjectRemoval } from "./object-removal.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

@injectable()
export class DeleteVideoUseCase {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(ObjectRemoval) private readonly objects: ObjectRemoval,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(VIDEO_JOBS) private readonly jobs: VideoJobs,
  ) {}

  /**
   * The video disappears first (soft delete, committed); its objects are removed after. A delete
   * the store refuses is recorded and retried by housekeeping; only if even that record cannot be
   * written are the rows kept, so the objects can still be found.
   * The delete wins over an edit that raced it (the edit gets VIDEO_NOT_FOUND); of two deletes,
   * the second gets VIDEO_NOT_FOUND. The files are listed after the commit, so a source an
   * upload committed before the delete is removed too.
   */
  async execute(caller: Caller, id: string): Promise<void> {
    const video = await this.access.visibleForWrite(caller, id);
    video.softDelete(this.clock.now());
    await this.unitOfWork.run(async () => {
      await this.videos.saveDeletion(video);
      await this.audit.record({
        actorId: caller.userId,
        action: "video.deleted",
        targetType: "video",
        targetId: video.id,
        metadata: { ownerId: video.ownerId },
      });
    });
    // Jobs end (refunded) before the files go, so no job can record a rendition of a deleted video.
    await this.jobs.cancelAllOf(video.id);
    await this.removeObjects(video.id, video.upload?.key ?? null);
  }

  private async removeObjects(videoId: string, pendingUploadKey: string | null): Promise<void> {
    const stored = await this.files.listByVideo(videoId);
    const keys = new Set([...stored.map((file) => file.storageKey), ...(pendingUploadKey ? [pendingUploadKey] : [])]);
    try {
      const { pending } = await this.objects.remove(keys);
      await this.files.deleteByVideo(videoId);
      if (pending > 0)
        this.logger.warn("video deleted; some of its objects will be removed by housekeeping", { videoId, pending });
    } catch (error) {
      this.logger.warn("video deleted but its objects were not all removed", { videoId, error });
    }
  }
}
