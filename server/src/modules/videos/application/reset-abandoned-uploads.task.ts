import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../../../shared/application/housekeeping.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ABANDONED_UPLOAD_QUERY, type AbandonedUploadQuery } from "./abandoned-upload.query.js";
import { ObjectRemoval } from "./object-removal.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/**
 * Housekeeping: a video left UPLOADING past its upload URL's expiry (plus a margin) was abandoned.
 * It goes back to DRAFT, as a rejected upload does, so the owner can start again, and whatever
 * bytes reached its declared key are removed. The save is conditional: an owner who completes or
 * restarts the upload meanwhile wins, and the video is left alone.
 */
@injectable()
export class ResetAbandonedUploadsTask implements HousekeepingTask {
  readonly name = "abandoned-uploads";

  constructor(
    @inject(ABANDONED_UPLOAD_QUERY) private readonly abandoned: AbandonedUploadQuery,
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(ObjectRemoval) private readonly objects: ObjectRemoval,
    @inject(APP_CONFIG) private readonly config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    const now = this.clock.now();
    const graceSeconds = this.config.files.uploadUrlTtlSeconds + this.config.housekeeping.abandonedUploadMarginSeconds;
    const cutoff = new Date(now.getTime() - graceSeconds * 1000);
    let reset = 0;
    const keys: string[] = [];
    for (const id of await this.abandoned.findIds(cutoff, HOUSEKEEPING_BATCH)) {
      const video = await this.videos.findByIdForWrite(id);
      if (!video || video.status !== "UPLOADING" || video.toState().updatedAt >= cutoff) continue;
      const key = video.upload?.key;
      video.rejectUpload(now);
      try {
        await this.videos.save(video, "UPLOADING");
      } catch (error) {
        // Completed, restarted or deleted meanwhile: the owner's write won.
        if (error instanceof DomainError) continue;
        throw error;
      }
      reset++;
      if (key) keys.push(key);
    }
    const { removed, pending } = await this.objects.remove(keys);
    return { reset, objectsRemoved: removed, objectsPending: pending };
  }
}
