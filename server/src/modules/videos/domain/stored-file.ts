import type { HlsIndex } from "../../../shared/domain/hls-index.js";

export const STORED_FILE_KINDS = ["SOURCE", "RENDITION", "THUMBNAIL"] as const;
export type StoredFileKind = (typeof STORED_FILE_KINDS)[number];

export interface StoredFile {
  id: string;
  videoId: string;
  kind: StoredFileKind;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  quality: string | null;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  /** RFC 6381 codecs of a rendition (e.g. "avc1.64001f,mp4a.40.2"); null for other kinds and older renditions. */
  codecs: string | null;
  frameRate: number | null;
  /** Set for fragmented-MP4 renditions, which also serve HLS; null for MP4-only ones (they still download). */
  hls: HlsIndex | null;
  createdAt: Date;
}
