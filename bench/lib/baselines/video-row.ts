import type { z } from "zod";
import type { videoOutput } from "../../../server/src/modules/videos/api/videos.schemas.js";

/** The columns videos.get reads, as Prisma returns them. */
export interface VideoRow {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: z.infer<typeof videoOutput>["status"];
  uploadFilename: string | null;
  uploadContentType: string | null;
  uploadSizeBytes: bigint | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The same answer Reelbase's videos.get gives, mapped the way a hand-written handler would. */
export function videoJson(row: VideoRow): z.infer<typeof videoOutput> {
  return {
    id: row.id,
    ownerId: row.ownerId,
    title: row.title,
    description: row.description,
    status: row.status,
    durationSeconds: row.durationSeconds,
    width: row.width,
    height: row.height,
    videoCodec: row.videoCodec,
    audioCodec: row.audioCodec,
    source:
      row.uploadFilename && row.uploadContentType && row.uploadSizeBytes !== null
        ? { filename: row.uploadFilename, contentType: row.uploadContentType, sizeBytes: Number(row.uploadSizeBytes) }
        : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
