import type { StoredFile, StoredFileKind } from "../domain/stored-file.js";

export interface StoredFileRepository {
  add(file: StoredFile): Promise<void>;
  findLatest(videoId: string, kind: StoredFileKind): Promise<StoredFile | null>;
  listByVideo(videoId: string): Promise<StoredFile[]>;
  deleteByVideo(videoId: string): Promise<void>;
}

export const STORED_FILE_REPOSITORY = Symbol.for("StoredFileRepository");
