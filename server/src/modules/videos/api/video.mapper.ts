import type { z } from "zod";
import type { Video } from "../domain/video.entity.js";
import type { videoOutput } from "./videos.schemas.js";

export function toVideoDto(video: Video): z.infer<typeof videoOutput> {
  const { id, ownerId, title, description, status, probe, upload, createdAt, updatedAt } = video.toState();
  return {
    id,
    ownerId,
    title,
    description,
    status,
    durationSeconds: probe?.durationSeconds ?? null,
    width: probe?.width ?? null,
    height: probe?.height ?? null,
    videoCodec: probe?.videoCodec ?? null,
    audioCodec: probe?.audioCodec ?? null,
    source: upload ? { filename: upload.filename, contentType: upload.contentType, sizeBytes: upload.sizeBytes } : null,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
