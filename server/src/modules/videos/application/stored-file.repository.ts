import type { StoredFile, StoredFileKind } from "../domain/stored-file.js";

export interface StoredFileRepository {
  add(file: StoredFile): Promise<void>;
  findLatest(videoId: string, kind: StoredFileKind): Promise<StoredFile | null>;
  /** The video's rendition at that quality, if it has one. */
  findRendition(videoId: string, quality: string): Promise<StoredFile | null>;
  listByVideo(videoId: string): Promise<StoredFile[]>;
  deleteByVideo(videoId: string): Promise<void>;
}

export const STORED_FILE_REPOSITORY = Symbol.for("StoredFileRepository");
