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
   * Saves only if the stored status is still `expectedStatus` (when given): two requests racing
   * through the same transition cannot both win. Throws VIDEO_INVALID_STATE for the loser.
   */
  save(video: Video, expectedStatus?: VideoStatus): Promise<void>;
  listByOwner(
    ownerId: string,
    filter: VideoListFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Video>>;
}

export const VIDEO_REPOSITORY = Symbol.for("VideoRepository");
