import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { LocalFileNotFoundError } from "../shared/application/object-storage.js";
import { assertValidObjectKey, CONTENT_TYPE } from "./storage-keys.js";

/**
 * Counts and hashes the bytes flowing through. With `maxBytes`, the chunk that crosses the limit
 * fails the stream with `tooLarge()` before it is passed on, so the excess is never written.
 */
export class HashMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash("sha256");

  constructor(private readonly limit?: { maxBytes: number; tooLarge: () => Error }) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.limit && this.bytes > this.limit.maxBytes) return done(this.limit.tooLarge());
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Hex sha256 of everything that went through; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest("hex");
  }
}

/**
 * A local file opened for putFile. The handle is held for the whole call, so a retry reads the very
 * same file again even if its path is replaced or removed meanwhile.
 */
export interface SourceFile {
  sizeBytes: number;
  /** A fresh stream from byte 0 each call; reads are positioned, so several streams never disturb each other. */
  stream(): Readable;
  close(): Promise<void>;
}

/** What both adapters check before reading anything: the rule for keys and a header-safe content type. */
export function assertPutFileRequest(key: string, contentType: string): void {
  assertValidObjectKey(key);
  if (!CONTENT_TYPE.test(contentType)) throw new Error("Invalid content type for a stored file");
}

/** Opens `filePath` for reading; a missing path, or one that is not a regular file, is a LocalFileNotFoundError. */
export async function openSourceFile(filePath: string): Promise<SourceFile> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, "r");
  } catch (error) {
    if (hasCode(error, "ENOENT", "ENOTDIR", "EISDIR")) throw new LocalFileNotFoundError(filePath);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new LocalFileNotFoundError(filePath);
    return {
      sizeBytes: stats.size,
      stream: () => handle.createReadStream({ start: 0, autoClose: false }),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads the whole file once, chunk by chunk: memory stays flat whatever its size. */
export async function hashSourceFile(source: SourceFile): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of source.stream()) {
    sizeBytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sizeBytes, sha256: hash.digest("hex") };
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === "object" && error !== null && "code" in error && codes.includes(String(error.code));
}
