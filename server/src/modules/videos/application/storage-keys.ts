import { randomBytes } from "node:crypto";

/**
 * Each upload gets a fresh key, so a retried upload never overwrites (or is confused with)
 * an earlier one, and a signed URL for an old attempt cannot touch the new object.
 */
export function sourceUploadKey(videoId: string): string {
  return `videos/${videoId}/source-${randomBytes(6).toString("hex")}`;
}

/** A job's outputs are named after the job, so a retried or repeated job never overwrites another's files. */
export function renditionKey(videoId: string, jobId: string, quality: string): string {
  return `videos/${videoId}/renditions/${jobId}-${quality}.mp4`;
}

export function thumbnailKey(videoId: string, jobId: string): string {
  return `videos/${videoId}/thumbnails/${jobId}.jpg`;
}
