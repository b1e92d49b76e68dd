import { inject, injectable } from "inversify";
import { LRUCache } from "lru-cache";
import type { HlsIndex } from "../../../shared/domain/hls-index.js";
import { masterPlaylist, totalDurationOf } from "../domain/hls-playlists.js";
import type { StoredFile } from "../domain/stored-file.js";
import type { Video } from "../domain/video.entity.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";

export type StreamableRendition = StoredFile & { quality: string; hls: HlsIndex };

/** What playback needs of one video's files. */
export interface PlaybackFiles {
  /** The newest rendition of each quality, lowest quality first. */
  renditions: StoredFile[];
  /** Those of them with an HLS index. */
  streamable: StreamableRendition[];
  thumbnail: StoredFile | null;
  /** null when nothing streams. */
  master: string | null;
}

interface Entry extends PlaybackFiles {
  version: number;
}

const MAX_VIDEOS = 10_000;
/**
 * Every rendition a job adds moves the video's status, and so its version, except when another job
 * of the video is still running: this is how late such a rendition may show in a master playlist.
 */
const STALE_AFTER_MS = 10_000;

/**
 * A video's renditions for the /play routes, from this process's memory: a master playlist is
 * fetched by every viewer and must not cost a query each. An entry is used only while the video
 * (itself near-cached, ADR 0015) is at the version the entry was read for.
 */
@injectable()
export class PlaybackCatalog {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_VIDEOS, ttl: STALE_AFTER_MS, ttlAutopurge: false });

  constructor(@inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository) {}

  async cached(video: Video): Promise<PlaybackFiles> {
    const { version } = video.toState();
    const entry = this.entries.get(video.id);
    if (entry?.version === version) return entry;
    const loaded = await this.load(video.id);
    this.entries.set(video.id, { ...loaded, version });
    return loaded;
  }

  /** Always from the database. */
  async load(videoId: string): Promise<PlaybackFiles> {
    const files = await this.files.listByVideo(videoId);
    // Oldest first: a later row of a quality replaces an earlier one.
    const byQuality = new Map<string, StoredFile>();
    let thumbnail: StoredFile | null = null;
    for (const file of files) {
      if (file.kind === "RENDITION" && file.quality) byQuality.set(file.quality, file);
      else if (file.kind === "THUMBNAIL") thumbnail = file;
    }
    const renditions = [...byQuality.values()].sort((a, b) => (a.height ?? 0) - (b.height ?? 0));
    const streamable = renditions.filter(isStreamable);
    return {
      renditions,
      streamable,
      thumbnail,
      master: streamable.length > 0 ? masterPlaylist(streamable.map((file) => ({ ...file, quality: file.quality }))) : null,
    };
  }
}

function isStreamable(file: StoredFile): file is StreamableRendition {
  return file.quality !== null && file.hls !== null && totalDurationOf(file.hls) > 0;
}
