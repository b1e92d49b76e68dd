import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Page } from "../../../shared/application/pagination.js";
import { Video } from "../domain/video.entity.js";
import { VIDEO_REPOSITORY, type VideoListFilter, type VideoRepository } from "./video.repository.js";

@injectable()
export class ListVideosQuery {
  constructor(@inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository) {}

  /** A caller's own videos, newest first; admins find others' videos through get by id. */
  execute(caller: Caller, filter: VideoListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<Video>> {
    return this.videos.listByOwner(caller.userId, filter, page);
  }
}
