import type { ObjectStorage } from "../../../shared/application/object-storage.js";
import { totalDurationOf } from "../domain/hls-playlists.js";
import type { StoredFile } from "../domain/stored-file.js";

/** Past the token's expiry, for a player that started just before it to finish (and to rebuffer on the way). */
const MEDIA_MARGIN_SECONDS = 300;
/** SigV4 presigned URLs live at most 7 days; local file URLs keep the same bound. */
const MAX_URL_SECONDS = 7 * 24 * 3600;

/**
 * The one signed URL of a rendition's stored object that both its mp4Url and its variant playlist
 * use. It outlives the token by the rendition's duration plus a margin: a session started on a
 * valid token plays to its end. Clamped to what the store signs (7 days).
 */
export async function renditionMediaUrl(
  storage: ObjectStorage,
  file: StoredFile,
  tokenExpires: number,
  now: Date,
  /** For an MP4-only rendition, which has no index to add up: the video's own duration. */
  fallbackDurationSeconds = 0,
): Promise<{ url: string; expiresAt: Date }> {
  const duration = Math.ceil(file.hls ? totalDurationOf(file.hls) : fallbackDurationSeconds);
  const until = tokenExpires + duration + MEDIA_MARGIN_SECONDS;
  const seconds = Math.min(MAX_URL_SECONDS, Math.max(1, until - Math.floor(now.getTime() / 1000)));
  return storage.createDownloadUrl(file.storageKey, { expiresInSeconds: seconds });
}
