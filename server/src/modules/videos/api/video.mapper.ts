import type { z } from "zod";
import { videoSnapshot } from "../domain/video-snapshot.js";
import type { Video } from "../domain/video.entity.js";
import type { videoOutput } from "./videos.schemas.js";

export function toVideoDto(video: Video): z.infer<typeof videoOutput> {
  return videoSnapshot(video.toState());
}
