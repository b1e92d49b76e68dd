import { z } from "zod";
import { QUALITIES } from "../../../shared/domain/quality.js";
import { idSchema, isoDateTime, pageInput, pageOutput, text } from "../../../shared/api/schemas.js";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "../domain/video.entity.js";
import { VIDEO_STATUSES } from "../domain/video-status.js";

/** The largest upload docs/product-contract.md §1.2 allows; a deployment may lower it with MAX_UPLOAD_BYTES. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

const title = text.trim().min(1).max(TITLE_MAX_LENGTH);
const description = text.trim().max(DESCRIPTION_MAX_LENGTH);

export const videoOutput = z.object({
  id: idSchema,
  ownerId: idSchema,
  title: z.string(),
  description: z.string(),
  status: z.enum(VIDEO_STATUSES),
  durationSeconds: z.number().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  videoCodec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  source: z.object({ filename: z.string(), contentType: z.string(), sizeBytes: z.number().int() }).nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const createVideoInput = z.object({ title, description: description.optional() });
export const videoIdInput = z.object({ id: idSchema });
export const updateVideoInput = z.object({ id: idSchema, title: title.optional(), description: description.optional() });

export const listVideosInput = z.object({
  ...pageInput,
  status: z.enum(VIDEO_STATUSES).optional(),
  search: text.trim().min(1).max(200).optional(),
});
export const videoPageOutput = pageOutput(videoOutput);

export const createUploadInput = z.object({
  id: idSchema,
  // A name for downloads, not a path: no separators or control characters.
  filename: text.trim().min(1).max(255).refine(isPlainFileName, "must be a plain file name"),
  contentType: text
    .trim()
    .toLowerCase()
    .regex(/^video\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/, "must be a video/* media type"),
  sizeBytes: z.number().int().min(1).max(MAX_UPLOAD_BYTES),
});
export const presignedUploadOutput = z.object({
  uploadUrl: z.url(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  expiresAt: isoDateTime,
});

export const downloadUrlInput = z.object({
  id: idSchema,
  kind: z.enum(["source", "rendition", "thumbnail"]),
  /** For renditions: this quality, else the highest one ready. */
  quality: z.enum(QUALITIES).optional(),
});
export const downloadUrlOutput = z.object({ url: z.url(), expiresAt: isoDateTime });

function isPlainFileName(name: string): boolean {
  return [...name].every((character) => {
    const code = character.codePointAt(0) ?? 0;
    return character !== "/" && character !== "\\" && code >= 0x20 && code !== 0x7f;
  });
}
