import path from "node:path";

/**
 * Object keys are chosen by the application (e.g. `videos/<id>/source`), never by clients, so
 * the rule can be strict: the same rule for every adapter keeps a key valid wherever it moves.
 * The first character may not be "." so a key can never name the local store's hidden folders.
 */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/_.-]*$/;
/** Below S3's 1024-byte limit and any file system's path limit under a reasonable root. */
const MAX_KEY_LENGTH = 512;
/**
 * One path segment is one file or folder name on the local store, and file systems cap a name at
 * 255 bytes (ENAMETOOLONG, a 500 before); the local store also names a sidecar `<segment>.json`.
 * The pattern is ASCII-only, so characters are bytes.
 */
const MAX_SEGMENT_LENGTH = 255 - ".json".length;

export class InvalidObjectKeyError extends Error {
  constructor() {
    // The key itself stays out of the message: it may come from a request path.
    super("Invalid object key");
    this.name = "InvalidObjectKeyError";
  }
}

export function isValidObjectKey(key: string): boolean {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) return false;
  if (key.includes("//") || key.endsWith("/")) return false;
  return key.split("/").every((segment) => segment !== "." && segment !== ".." && segment.length <= MAX_SEGMENT_LENGTH);
}

export function assertValidObjectKey(key: string): void {
  if (!isValidObjectKey(key)) throw new InvalidObjectKeyError();
}

/**
 * The file for `key` under `root`. The pattern above already rules out traversal; resolving and
 * checking the prefix as well means a future change to the pattern cannot open a way out.
 */
export function pathInside(root: string, key: string): string {
  assertValidObjectKey(key);
  const resolved = path.resolve(root, key);
  if (!resolved.startsWith(root + path.sep)) throw new InvalidObjectKeyError();
  return resolved;
}

/** Each segment percent-encoded, the slashes kept: the URL path names the key and nothing else. */
export function keyToUrlPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

export const CONTENT_TYPE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/**
 * What both adapters require before signing an upload URL. The use case validated the input
 * already; failing here means a bug, so these are plain errors (INTERNAL), not domain errors.
 */
export function assertUploadRequest(
  key: string,
  options: { contentType: string; sizeBytes: number },
  maxUploadBytes: number,
): void {
  assertValidObjectKey(key);
  if (!CONTENT_TYPE.test(options.contentType)) throw new Error("Invalid content type for an upload URL");
  if (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < 0 || options.sizeBytes > maxUploadBytes) {
    throw new Error("Upload size out of range");
  }
}
