/** A URL a client sends the bytes to, with the headers it must send unchanged. */
export interface PresignedUpload {
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface StoredObject {
  sizeBytes: number;
  contentType: string | null;
  /**
   * Hex sha256 when the store knows it without reading the object: local storage computes it on
   * every write, S3 keeps the one putFile computed as object metadata.
   */
  sha256: string | null;
}

/** A part the store holds for a multipart upload. The ETag is as the store quotes it. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  sizeBytes: number;
}

/**
 * The store refused to assemble a multipart upload: a named part is missing, its ETag differs, the
 * parts are too small, or (`changedParts`) a part's bytes no longer match what its PUT received.
 * Nothing is lost: the parts stay, the upload can be completed again (after re-sending changed parts).
 */
export class MultipartPartMismatchError extends Error {
  constructor(
    readonly reason: string,
    readonly changedParts: readonly number[] = [],
  ) {
    super(`The parts do not match the upload: ${reason}`);
    this.name = "MultipartPartMismatchError";
  }
}

/**
 * Object storage for video files. Bytes never pass through the API process on upload:
 * clients PUT straight to the URL this returns.
 */
export interface ObjectStorage {
  readonly kind: "s3" | "local";
  /** The URL binds the key, the content type and the exact size; the store refuses anything else. */
  createUploadUrl(
    key: string,
    options: { contentType: string; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload>;
  createDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; filename?: string },
  ): Promise<{ url: string; expiresAt: Date }>;
  /** null when there is no such object. */
  head(key: string): Promise<StoredObject | null>;
  /** Streams the object through sha256; memory stays flat whatever its size. */
  sha256(key: string): Promise<string>;
  /** A path or URL ffprobe/ffmpeg can read the object from (seekable). */
  readableLocation(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * Stores a local file under `key` (streamed, never buffered whole), replacing any object there.
   * A reader never sees a partly written object. A missing `filePath` is a LocalFileNotFoundError.
   */
  putFile(key: string, filePath: string, options: { contentType: string }): Promise<{ sizeBytes: number; sha256: string }>;
  /** Starts a multipart upload of `key`; the parts are sent to signPartUrl's URLs. */
  createMultipartUpload(key: string, options: { contentType: string }): Promise<{ uploadId: string }>;
  /** A URL for one part, bound to its exact size. */
  signPartUrl(
    key: string,
    uploadId: string,
    options: { partNumber: number; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload>;
  /** The parts the store holds now, by part number; null when there is no such upload (completed or aborted). */
  listParts(key: string, uploadId: string): Promise<UploadedPart[] | null>;
  /**
   * Assembles the parts, in order, into the object at `key` and forgets the upload. ETags may come
   * with or without their quotes. A part the store does not hold as named is a MultipartPartMismatchError.
   */
  completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
  /** Removes the parts; aborting an unknown upload is not an error. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** For /health/ready: throws when the store cannot be reached. */
  ping(): Promise<void>;
}

/**
 * putFile's source is missing or not a regular file. A fault of the caller (e.g. a job's temp dir
 * cleaned up too early), never of the store: not retried, not a storage outage. The path stays out
 * of the message, which may end up in a job's lastError; it is on the error for the log.
 */
export class LocalFileNotFoundError extends Error {
  constructor(readonly filePath: string) {
    super("The file to store does not exist");
    this.name = "LocalFileNotFoundError";
  }
}

export const OBJECT_STORAGE = Symbol.for("ObjectStorage");
