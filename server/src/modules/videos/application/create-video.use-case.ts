import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { Video } from "../domain/video.entity.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

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
