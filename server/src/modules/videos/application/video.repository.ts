import type { Page } from "../../../shared/application/pagination.js";
import type { VideoStatus } from "../domain/video-status.js";
import type { Video } from "../domain/video.entity.js";

export interface VideoListFilter {
  status?: VideoStatus | undefined;
  /** Case-insensitive substring of the title. */
  search?: string | undefined;
}

export interface VideoRepository {
  /** Soft-deleted videos are not found. May be served from a cache: for reads only. */
  findById(id: string): Promise<Video | null>;
  /** Always the database: a write must start from the current row, or it would save stale fields back. */
  findByIdForWrite(id: string): Promise<Video | null>;
  /** Inside a unit of work: the current row, locked until the transaction ends (serialises job bookkeeping per video). */
  findByIdForUpdate(id: string): Promise<Video | null>;
  create(video: Video): Promise<void>;
  /**
   * Saves only if the stored row is still at the version the video was loaded at, then advances
   * the video's version; a write that started from an older row never wins. The loser gets
   * VIDEO_NOT_FOUND if the video was deleted meanwhile, VIDEO_INVALID_STATE if its status moved
   * away from `expectedStatus` (two requests racing through one transition), else CONCURRENT_MODIFICATION.
   */
  save(video: Video, expectedStatus?: VideoStatus): Promise<void>;
  /**
   * Writes the soft delete of `video` whatever else changed since it was loaded (deleting does not
   * depend on the title or status an edit changed), and advances the version so every write loaded
   * before it fails. Throws VIDEO_NOT_FOUND if the video was already deleted.
   */
  saveDeletion(video: Video): Promise<void>;
  listByOwner(
    ownerId: string,
    filter: VideoListFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Video>>;
}

export const VIDEO_REPOSITORY = Symbol.for("VideoRepository");
