import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Router, type Request, type Response } from "express";
import type { HttpRoutes } from "../http/http-routes.js";
import type { Logger } from "../shared/application/logger.js";
import { attachmentDisposition } from "./content-disposition.js";
import { readFileUrlClaims, type FileUrlClaims } from "./file-url-signer.js";
import { partClaimKey, UploadIncompleteError, UploadTooLargeError, type LocalDiskStorage } from "./local-disk.storage.js";
import { PART_STREAM_BUFFER, UploadNotFoundError } from "./local-multipart.js";
import { isValidObjectKey } from "./storage-keys.js";

type FileErrorCode =
  | "FILE_URL_INVALID"
  | "FILE_URL_EXPIRED"
  | "FILE_KEY_INVALID"
  | "FILE_NOT_FOUND"
  | "FILE_CONTENT_TYPE_MISMATCH"
  | "FILE_LENGTH_REQUIRED"
  | "FILE_SIZE_MISMATCH"
  | "FILE_TOO_LARGE"
  | "FILE_KEY_CONFLICT"
  | "FILE_STORAGE_FULL"
  | "FILE_RANGE_NOT_SATISFIABLE"
  | "FILE_UPLOAD_NOT_FOUND"
  | "INTERNAL";

/**
 * The local store's half of direct uploads: `PUT /files/<key>` and `GET /files/<key>` with the
 * HMAC-signed URLs LocalDiskStorage hands out. Bodies are streamed both ways, never buffered.
 */
export function localFilesRoutes(storage: LocalDiskStorage, logger: Logger): HttpRoutes {
  const router = Router();
  router.put("/_multipart/:uploadId/:partNumber", async (req, res) => {
    const uploadId = String(req.params.uploadId);
    const partNumberText = String(req.params.partNumber);
    if (!/^[0-9a-f]{32}$/.test(uploadId) || !/^[1-9]\d{0,4}$/.test(partNumberText)) {
      fail(res, 400, "FILE_KEY_INVALID", "Invalid part URL");
      return;
    }
    const partNumber = Number(partNumberText);
    const claims = verifyClaims(storage, req, res, partClaimKey(uploadId, partNumber));
    if (claims) await receivePart(storage, logger, { uploadId, partNumber, sizeBytes: claims.sizeBytes ?? 0 }, req, res);
  });
  router.put("/*path", async (req, res) => {
    const claims = authorize(storage, req, res, "PUT");
    if (claims) await receive(storage, logger, claims, req, res);
  });
  // Express answers HEAD with the GET route; ffprobe and browsers probe before they range-read.
  router.get("/*path", async (req, res) => {
    const claims = authorize(storage, req, res, "GET");
    if (claims) await serve(storage, logger, claims, req, res);
  });
  return { mountPath: "/files", router };
}

/** Key and signature checks shared by both methods; answers the request itself when they fail. */
function authorize(
  storage: LocalDiskStorage,
  req: Request,
  res: Response,
  method: FileUrlClaims["method"],
): FileUrlClaims | null {
  // path-to-regexp decodes each segment, so "%2e%2e" arrives as ".." and "%2F" as "/": the key
  // rule sees exactly what would touch the disk.
  const raw: unknown = req.params.path;
  const key = Array.isArray(raw) ? raw.join("/") : String(raw);
  if (!isValidObjectKey(key)) return fail(res, 400, "FILE_KEY_INVALID", "Invalid file key");
  return verifyClaims(storage, req, res, key, method);
}

function verifyClaims(
  storage: LocalDiskStorage,
  req: Request,
  res: Response,
  key: string,
  method: FileUrlClaims["method"] = "PUT",
): FileUrlClaims | null {
  const query = new URL(req.originalUrl, "http://files.invalid").searchParams;
  const presented = readFileUrlClaims(method, key, query);
  if (!presented) return fail(res, 403, "FILE_URL_INVALID", "Missing or malformed file URL signature");
  const verdict = storage.verify(presented.claims, presented.signature);
  if (verdict === "invalid") return fail(res, 403, "FILE_URL_INVALID", "Invalid file URL signature");
  if (verdict === "expired") return fail(res, 403, "FILE_URL_EXPIRED", "This file URL has expired");
  return presented.claims;
}

async function receive(
  storage: LocalDiskStorage,
  logger: Logger,
  claims: FileUrlClaims,
  req: Request,
  res: Response,
): Promise<void> {
  const contentType = claims.contentType ?? "";
  const sizeBytes = claims.sizeBytes ?? 0;
  // The URL was signed for one exact type and size; any other body is refused before a byte is written.
  if ((req.get("content-type") ?? "").trim() !== contentType) {
    fail(res, 400, "FILE_CONTENT_TYPE_MISMATCH", "Content-Type must be the one the upload URL was issued for");
    return;
  }
  const declared = req.get("content-length");
  if (req.get("transfer-encoding") !== undefined || declared === undefined || !/^\d+$/.test(declared)) {
    fail(res, 411, "FILE_LENGTH_REQUIRED", "Content-Length is required");
    return;
  }
  if (Number(declared) > sizeBytes) {
    fail(res, 413, "FILE_TOO_LARGE", "The body is larger than the upload URL allows");
    return;
  }
  if (Number(declared) < sizeBytes) {
    fail(res, 400, "FILE_SIZE_MISMATCH", "The body is smaller than the size the upload URL was issued for");
    return;
  }
  try {
    const stored = await storage.receiveUpload(claims.key, detachedBody(req), { contentType, sizeBytes });
    res.status(200).set("ETag", `"${stored.sha256}"`).json({ sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
  } catch (error) {
    answerUploadFailure(res, logger, claims.key, error);
  }
}

/** One part of a multipart upload: no Content-Type rule, the signed size as the exact cap. */
async function receivePart(
  storage: LocalDiskStorage,
  logger: Logger,
  part: { uploadId: string; partNumber: number; sizeBytes: number },
  req: Request,
  res: Response,
): Promise<void> {
  const declared = req.get("content-length");
  if (req.get("transfer-encoding") !== undefined || declared === undefined || !/^\d+$/.test(declared)) {
    fail(res, 411, "FILE_LENGTH_REQUIRED", "Content-Length is required");
    return;
  }
  if (Number(declared) > part.sizeBytes) {
    fail(res, 413, "FILE_TOO_LARGE", "The part is larger than its URL allows");
    return;
  }
  if (Number(declared) < part.sizeBytes) {
    fail(res, 400, "FILE_SIZE_MISMATCH", "The part is smaller than the size its URL was issued for");
    return;
  }
  try {
    const etag = await storage.receivePart(part.uploadId, part.partNumber, detachedBody(req, PART_STREAM_BUFFER), part.sizeBytes);
    res.status(200).set("ETag", etag).json({ partNumber: part.partNumber, etag });
  } catch (error) {
    if (error instanceof UploadNotFoundError) fail(res, 404, "FILE_UPLOAD_NOT_FOUND", "No such upload (completed or aborted)");
    else answerUploadFailure(res, logger, `multipart ${part.uploadId}`, error);
  }
}

function answerUploadFailure(res: Response, logger: Logger, key: string, error: unknown): void {
  if (error instanceof UploadTooLargeError) {
    fail(res, 413, "FILE_TOO_LARGE", "The body is larger than the upload URL allows");
  } else if (error instanceof UploadIncompleteError || error instanceof ClientAbortError) {
    // After a client abort nobody reads this answer; the temp file is already gone either way.
    fail(res, 400, "FILE_SIZE_MISMATCH", "The body ended before the declared size");
  } else if (hasCode(error, "ENOTDIR", "EISDIR", "EEXIST")) {
    // "a/b" when "a" is an object, or "a" when "a/b" is: a file system cannot hold both.
    fail(res, 409, "FILE_KEY_CONFLICT", "The key collides with another object");
  } else if (hasCode(error, "ENOSPC", "EDQUOT")) {
    logger.error("local storage is full", { key });
    fail(res, 507, "FILE_STORAGE_FULL", "Storage is full");
  } else {
    logger.error("local upload failed", { key, error });
    fail(res, 500, "INTERNAL", "Upload failed");
  }
}

async function serve(
  storage: LocalDiskStorage,
  logger: Logger,
  claims: FileUrlClaims,
  req: Request,
  res: Response,
): Promise<void> {
  const object = await storage.openForRead(claims.key);
  if (!object) {
    fail(res, 404, "FILE_NOT_FOUND", "No such file");
    return;
  }
  const { handle, sizeBytes } = object;
  const range = parseRange(req.get("range"), sizeBytes);
  if (range === "unsatisfiable") {
    await handle.close();
    res.set("Content-Range", `bytes */${sizeBytes}`);
    fail(res, 416, "FILE_RANGE_NOT_SATISFIABLE", "Range not satisfiable");
    return;
  }
  const { start, end } = range ?? { start: 0, end: sizeBytes - 1 };
  res.status(range ? 206 : 200).set({
    "Content-Type": object.contentType ?? "application/octet-stream",
    "Content-Length": String(Math.max(0, end - start + 1)),
    "Accept-Ranges": "bytes",
    "Cache-Control": "private, max-age=0",
    // A signed URL is a capability: let pages on other origins embed the video (helmet defaults to same-origin),
    // and never let an uploaded file run as a document on the API's origin.
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    ...(range ? { "Content-Range": `bytes ${start}-${end}/${sizeBytes}` } : {}),
    ...(claims.filename ? { "Content-Disposition": attachmentDisposition(claims.filename) } : {}),
  });
  if (req.method === "HEAD" || sizeBytes === 0) {
    await handle.close();
    res.end();
    return;
  }
  try {
    await pipeline(handle.createReadStream({ start, end }), res);
  } catch (error) {
    // Players drop range requests all the time when seeking; that is not an error worth more than debug.
    logger.debug("file download ended early", { key: claims.key, error });
  }
}

/**
 * Ranges of a single `bytes=` spec (first-last, first-, -suffix). Anything else, including several
 * ranges, is ignored and the whole file is sent, as RFC 9110 allows.
 */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

class ClientAbortError extends Error {
  constructor() {
    super("The client closed the connection during the upload");
    this.name = "ClientAbortError";
  }
}

/**
 * The request body behind a PassThrough. pipeline() destroys every stream it was given when
 * anything fails; given `req` itself that would take the socket down before the 413 or 507 is
 * written. A client abort still reaches the pipeline, as an error on the PassThrough.
 */
function detachedBody(req: Request, highWaterMark?: number): Readable {
  const body = new PassThrough(highWaterMark ? { highWaterMark } : {});
  req.on("error", () => body.destroy(new ClientAbortError()));
  req.on("close", () => {
    if (!req.complete) body.destroy(new ClientAbortError());
  });
  req.pipe(body);
  return body;
}

function fail(res: Response, status: number, errorCode: FileErrorCode, message: string): null {
  if (res.headersSent) {
    res.destroy();
    return null;
  }
  // Close the connection rather than read an unwanted body to its end (it may be gigabytes).
  if (!res.req.complete) res.set("Connection", "close");
  res.status(status).json({ error: { message, errorCode, correlationId: res.locals.correlationId } });
  return null;
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === "object" && error !== null && "code" in error && codes.includes(String(error.code));
}
