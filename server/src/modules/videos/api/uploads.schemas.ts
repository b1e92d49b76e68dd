import { z } from "zod";
import { idSchema, isoDateTime } from "../../../shared/api/schemas.js";
import { createUploadInput } from "./videos.schemas.js";

const { id: _id, ...declared } = createUploadInput.shape;

export const createMultipartUploadInput = z.object({ videoId: idSchema, ...declared });
export const createMultipartUploadOutput = z.object({
  uploadId: idSchema,
  partSize: z.number().int(),
  partCount: z.number().int(),
  expiresAt: isoDateTime,
});

export const uploadIdInput = z.object({ uploadId: idSchema });
const partNumber = z.number().int().min(1).max(10_000);

export const signPartsInput = z.object({ uploadId: idSchema, partNumbers: z.array(partNumber).min(1).max(100) });
export const signPartsOutput = z.object({
  parts: z.array(
    z.object({
      partNumber: z.number().int(),
      url: z.url(),
      method: z.literal("PUT"),
      headers: z.record(z.string(), z.string()),
      expiresAt: isoDateTime,
    }),
  ),
});

export const listPartsOutput = z.object({
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string(), sizeBytes: z.number().int() })),
});

export const completeMultipartUploadInput = z.object({
  uploadId: idSchema,
  // An ETag with or without its quotes, as a browser reads it from the PUT's answer.
  parts: z
    .array(z.object({ partNumber, etag: z.string().trim().min(1).max(200) }))
    .min(1)
    .max(10_000),
});
