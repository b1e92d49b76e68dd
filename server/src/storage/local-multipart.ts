import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MultipartPartMismatchError, type UploadedPart } from "../shared/application/object-storage.js";
import { nullWhenMissing, UploadIncompleteError, UploadTooLargeError } from "./local-disk-files.js";

/** Local upload ids: 32 hex digits, so one is always a safe folder name. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_FILE = /^(\d{1,5})\.([0-9a-f]{32})$/;
export const MAX_PART_NUMBER = 10_000;

export function isLocalUploadId(uploadId: string): boolean {
  return UPLOAD_ID.test(uploadId);
}

export function newLocalUploadId(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Counts a part on its way to disk, refusing it the moment it passes its cap. No hash: an md5 per
 * part (S3's ETag) cost 43% of the API's CPU on a part upload (docs/benchmarks.md, local multipart),
 * and the local store's ETag only has to name the stored version of a part, which a random token does.
 */
class PartMeter extends Transform {
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new UploadTooLargeError());
      return;
    }
    callback(null, chunk);
  }
}

/**
 * The local store's multipart uploads: `<root>/.multipart/<uploadId>/` holds `upload.json` (key and
 * content type) and one file per part named `<partNumber>.<etag>` (32 random hex digits, new for every
 * PUT), so listing needs no reads and a part is visible only once complete (written to a temp name,
 * flushed, then renamed).
 */
export class LocalMultipartUploads {
  private readonly dir: string;

  constructor(
    root: string,
    private readonly tempDir: string,
  ) {
    this.dir = path.join(root, ".multipart");
  }

  async create(key: string, contentType: string): Promise<string> {
    const uploadId = newLocalUploadId();
    const folder = this.folder(uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "upload.json"), JSON.stringify({ key, contentType }), { flag: "wx" });
    return uploadId;
  }

  /** The key and type the upload was created for; null when there is no such upload. */
  async describe(uploadId: string): Promise<{ key: string; contentType: string } | null> {
    if (!isLocalUploadId(uploadId)) return null;
    const text = await readFile(path.join(this.folder(uploadId), "upload.json"), "utf8").catch(nullWhenMissing);
    if (text === null) return null;
    const parsed = JSON.parse(text) as { key?: unknown; contentType?: unknown };
    if (typeof parsed.key !== "string" || typeof parsed.contentType !== "string") return null;
    return { key: parsed.key, contentType: parsed.contentType };
  }

  /** Streams one part to disk: exactly `sizeBytes` or nothing. Answers the quoted ETag of this version of the part. */
  async receivePart(uploadId: string, partNumber: number, body: Readable, sizeBytes: number): Promise<string> {
    if (!(await this.describe(uploadId))) throw new UploadNotFoundError();
    const temp = path.join(this.tempDir, `${randomUUID()}.part`);
    const meter = new PartMeter(sizeBytes);
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: "wx", flush: true }));
      if (meter.bytes !== sizeBytes) throw new UploadIncompleteError();
      const etag = randomBytes(16).toString("hex");
      const folder = this.folder(uploadId);
      // Aborted meanwhile: the part has nowhere to go.
      if (!(await this.describe(uploadId))) throw new UploadNotFoundError();
      const file = path.join(folder, `${partNumber}.${etag}`);
      await rename(temp, file);
      // A part sent again replaces the earlier one: every PUT removes the versions older than its own,
      // and its own when a newer one is there, so racing PUTs of one part leave exactly the newest
      // (removing every other version, each would remove the other's and leave none).
      const mine = await stat(file).catch(nullWhenMissing);
      // Already replaced by a newer PUT of the same part: the last one wins, as on S3.
      if (!mine) return `"${etag}"`;
      for (const name of await readdir(folder)) {
        const match = PART_FILE.exec(name);
        if (!match || Number(match[1]) !== partNumber || match[2] === etag) continue;
        const other = await stat(path.join(folder, name)).catch(nullWhenMissing);
        if (!other) continue;
        const older = isNewer({ mtimeMs: mine.mtimeMs, etag }, { mtimeMs: other.mtimeMs, etag: match[2] ?? "" });
        await rm(older ? path.join(folder, name) : file, { force: true });
      }
      return `"${etag}"`;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async list(uploadId: string): Promise<UploadedPart[] | null> {
    if (!(await this.describe(uploadId))) return null;
    const folder = this.folder(uploadId);
    const names = await readdir(folder).catch(nullWhenMissing);
    if (names === null) return null;
    const parts = new Map<number, UploadedPart & { mtimeMs: number }>();
    for (const name of names) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const stats = await stat(path.join(folder, name)).catch(nullWhenMissing);
      if (!stats) continue;
      const partNumber = Number(match[1]);
      const earlier = parts.get(partNumber);
      const version = { mtimeMs: stats.mtimeMs, etag: match[2] ?? "" };
      if (earlier && !isNewer(version, { mtimeMs: earlier.mtimeMs, etag: earlier.etag.replace(/"/g, "") })) continue;
      parts.set(partNumber, { partNumber, etag: `"${version.etag}"`, sizeBytes: stats.size, mtimeMs: stats.mtimeMs });
    }
    return [...parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(({ partNumber, etag, sizeBytes }) => ({ partNumber, etag, sizeBytes }));
  }

  /**
   * The parts, in order, as one stream (never buffered whole). Checks every named part first: a
   * missing part or another ETag is a MultipartPartMismatchError and nothing changes.
   */
  async assemble(uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<Readable> {
    if (parts.length === 0) throw new MultipartPartMismatchError("no parts");
    const folder = this.folder(uploadId);
    const files: string[] = [];
    let previous = 0;
    for (const part of parts) {
      if (part.partNumber <= previous) throw new MultipartPartMismatchError("parts must be in ascending order");
      previous = part.partNumber;
      const md5 = part.etag.replace(/"/g, "").toLowerCase();
      const file = path.join(folder, `${part.partNumber}.${md5}`);
      if (!/^[0-9a-f]{32}$/.test(md5) || !(await stat(file).catch(nullWhenMissing))) {
        throw new MultipartPartMismatchError(`part ${part.partNumber} is missing or has another ETag`);
      }
      files.push(file);
    }
    async function* chunks(): AsyncGenerator<Buffer> {
      for (const file of files) for await (const chunk of createReadStream(file)) yield chunk as Buffer;
    }
    return Readable.from(chunks());
  }

  async remove(uploadId: string): Promise<void> {
    if (!isLocalUploadId(uploadId)) return;
    await rm(this.folder(uploadId), { recursive: true, force: true });
  }

  private folder(uploadId: string): string {
    if (!isLocalUploadId(uploadId)) throw new UploadNotFoundError();
    return path.join(this.dir, uploadId);
  }
}

/** Which of two versions of a part counts: the later write, the larger ETag on a tie (any fixed order would do). */
function isNewer(a: { mtimeMs: number; etag: string }, b: { mtimeMs: number; etag: string }): boolean {
  return a.mtimeMs > b.mtimeMs || (a.mtimeMs === b.mtimeMs && a.etag > b.etag);
}

export class UploadNotFoundError extends Error {
  constructor() {
    super("No such multipart upload");
    this.name = "UploadNotFoundError";
  }
}
