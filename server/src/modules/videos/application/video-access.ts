import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Video } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/**
 * Who may see and who may change a video. Someone else's video is NOT_FOUND, exactly like
 * one that does not exist, so ids leak nothing; admins see every video but only the owner
 * changes it (FORBIDDEN, since the admin can see it exists).
 */
@injectable()
export class VideoAccess {
  constructor(@inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository) {}

  /** For reads: may come from the cache. */
  visible(caller: Caller, id: string): Promise<Video> {
    return this.check(caller, this.videos.findById(id));
  }

  /** For writes an admin may also make (delete): always the current row. */
  visibleForWrite(caller: Caller, id: string): Promise<Video> {
    return this.check(caller, this.videos.findByIdForWrite(id));
  }

  /** For writes only the owner may make: always the current row. */
  async owned(caller: Caller, id: string): Promise<Video> {
    const video = await this.visibleForWrite(caller, id);
    if (!video.isOwnedBy(caller.userId)) throw VideoErrors.notOwner();
    return video;
  }

  private async check(caller: Caller, loading: Promise<Video | null>): Promise<Video> {
    const video = await loading;
    if (!video || (!video.isOwnedBy(caller.userId) && caller.role !== "ADMIN")) throw VideoErrors.notFound();
    return video;
  }
}
