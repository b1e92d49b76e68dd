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
  createdAt: Date;
}
