import { randomBytes } from "node:crypto";

/**
 * Each upload gets a fresh key, so a retried upload never overwrites (or is confused with)
 * an earlier one, and a signed URL for an old attempt cannot touch the new object.
 */
export function sourceUploadKey(videoId: string): string {
  return `videos/${videoId}/source-${randomBytes(6).toString("hex")}`;
}

/** A job's outputs are named after the job and its run, so a retried or repeated job never overwrites another's files. */
export function renditionKey(videoId: string, jobRunKey: string, quality: string): string {
  return `videos/${videoId}/renditions/${jobRunKey}-${quality}.mp4`;
}

export function thumbnailKey(videoId: string, jobRunKey: string): string {
  return `videos/${videoId}/thumbnails/${jobRunKey}.jpg`;
}

/** A generated source, named after the job run that made it. */
export function generatedSourceKey(videoId: string, jobRunKey: string): string {
  return `videos/${videoId}/source-generated-${jobRunKey}.mp4`;
}
