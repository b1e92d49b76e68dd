import type { VideoState } from "./video.entity.js";

/** A video as `videos.get` shows it: what its events carry, so a receiver sees what a caller would. */
// A type, not an interface: it must fit EventData's index signature.
export type VideoSnapshot = {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: VideoState["status"];
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  source: { filename: string; contentType: string; sizeBytes: number } | null;
  createdAt: string;
  updatedAt: string;
};

export function videoSnapshot(state: Readonly<VideoState>): VideoSnapshot {
  const { id, ownerId, title, description, status, probe, upload, createdAt, updatedAt } = state;
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
