import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { Video } from "../domain/video.entity.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

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
