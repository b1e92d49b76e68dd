import { z } from "zod";
import { idSchema, isoDateTime } from "../../../shared/api/schemas.js";

export const playbackInput = z.object({
  id: idSchema,
  /** How long the playback token (and so the HLS URL) is valid; the media URLs outlive it by the video's duration. */
  expiresInSeconds: z.number().int().min(60).max(604_800).default(3600),
});

export const playbackOutput = z.object({
  hlsUrl: z.url(),
  posterUrl: z.url().nullable(),
  expiresAt: isoDateTime,
  renditions: z.array(
    z.object({
      quality: z.string(),
      width: z.number().int().nullable(),
      height: z.number().int().nullable(),
      bitrate: z.number().int().nullable(),
      mp4Url: z.url(),
    }),
  ),
});
