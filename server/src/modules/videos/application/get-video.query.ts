import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { Video } from "../domain/video.entity.js";
import { VideoAccess } from "./video-access.js";

@injectable()
export class GetVideoQuery {
  constructor(@inject(VideoAccess) private readonly access: VideoAccess) {}

  execute(caller: Caller, id: string): Promise<Video> {
    return this.access.visible(caller, id);
  }
}
