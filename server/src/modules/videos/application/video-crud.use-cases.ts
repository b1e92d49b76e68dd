import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { Caller } from "../../identity/application/caller.js";
import { Video } from "../domain/video.entity.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_REPOSITORY, type VideoListFilter, type VideoRepository } from "./video.repository.js";

@injectable()
export class CreateVideoUseCase {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, input: { title: string; description?: string | undefined }): Promise<Video> {
    const video = Video.create({ ownerId: caller.userId, ...input, now: this.clock.now() });
    await this.videos.create(video);
    return video;
  }
}

@injectable()
export class GetVideoQuery {
  constructor(@inject(VideoAccess) private readonly access: VideoAccess) {}

  execute(caller: Caller, id: string): Promise<Video> {
    return this.access.visible(caller, id);
  }
}

@injectable()
export class ListVideosQuery {
  constructor(@inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository) {}

  /** A caller's own videos, newest first; admins find others' videos through get by id. */
  execute(caller: Caller, filter: VideoListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<Video>> {
    return this.videos.listByOwner(caller.userId, filter, page);
  }
}

@injectable()
export class UpdateVideoUseCase {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(
    caller: Caller,
    input: { id: string; title?: string | undefined; description?: string | undefined },
  ): Promise<Video> {
    const video = await this.access.owned(caller, input.id);
    video.edit(input, this.clock.now());
    await this.videos.save(video);
    return video;
  }
}
