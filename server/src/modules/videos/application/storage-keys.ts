import { randomBytes } from "node:crypto";

/**
 * Each upload gets a fresh key, so a retried upload never overwrites (or is confused with)
 * an earlier one, and a signed URL for an old attempt cannot touch the new object.
 */
export function sourceUploadKey(videoId: string): string {
  return `videos/${videoId}/source-${randomBytes(6).toString("hex")}`;
}
