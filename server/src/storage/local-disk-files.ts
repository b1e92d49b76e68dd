import { open } from "node:fs/promises";

/** More bytes arrived than the signed size. */
export class UploadTooLargeError extends Error {
  constructor() {
    super("The upload is larger than its signed size");
    this.name = "UploadTooLargeError";
  }
}

/** The body ended before the signed size was reached. */
export class UploadIncompleteError extends Error {
  constructor() {
    super("The upload is shorter than its signed size");
    this.name = "UploadIncompleteError";
  }
}

/** What the local store remembers beside an object: what `head` reports without reading the bytes. */
export interface Sidecar {
  sizeBytes: number;
  contentType: string;
  sha256: string;
  /** Inode of the object this describes: a sidecar whose inode differs belongs to another upload of the key. */
  inode: string;
}

export function isSidecar(value: unknown): value is Sidecar {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.sizeBytes === "number" &&
    typeof record.contentType === "string" &&
    typeof record.sha256 === "string" &&
    typeof record.inode === "string"
  );
}

/** ENOENT, or ENOTDIR when a parent segment of the key is a file: both mean "no such object". */
export function nullWhenMissing(error: unknown): null {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return null;
  throw error;
}

/** Makes a rename durable. Best effort: some file systems refuse fsync on a directory. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the directory entry is a bonus, never a reason to fail an upload that succeeded.
  }
}
