import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import { MultipartPartMismatchError, type UploadedPart } from "../shared/application/object-storage.js";
import { nullWhenMissing, UploadIncompleteError, UploadTooLargeError } from "./local-disk-files.js";

/** Local upload ids: 32 hex digits, so one is always a safe folder name. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** `<partNumber>.<etag>.<crc32>`; a part stored before parts had a CRC (and were flushed instead) has none. */
const PART_FILE = /^(\d{1,5})\.([0-9a-f]{32})(?:\.([0-9a-f]{8}))?$/;
export const MAX_PART_NUMBER = 10_000;

export function isLocalUploadId(uploadId: string): boolean {
  return UPLOAD_ID.test(uploadId);
}

export function newLocalUploadId(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Counts a part on its way to disk, refusing it the moment it passes its cap, and takes its CRC-32,
 * which complete checks the bytes against (docs/adr/0027). No md5: one per part (S3's ETag) cost 43%
 * of the API's CPU on a part upload (docs/benchmarks.md, local multipart); zlib's CRC-32 is native
 * and several times faster, and the ETag only has to name the stored version of a part.
 */
/**
 * Buffering per stream of a part's pipeline. Node's default (16 KiB) is below one socket read
 * (64 KiB), so every chunk crossed the mark: a pause and resume per chunk and one write call each.
 * With room for several chunks the file stream writes what queued up in one writev.
 */
export const PART_STREAM_BUFFER = 1024 * 1024;

class PartMeter extends Transform {
  bytes = 0;
  crc = 0;
  constructor(private readonly maxBytes: number) {
    super({ highWaterMark: PART_STREAM_BUFFER });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new UploadTooLargeError());
      return;
    }
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }
}

/** One stored version of a part, as its file name describes it. */
interface PartFile {
  name: string;
  partNumber: number;
  etag: string;
  /** null for a part stored before parts carried a CRC: it was flushed before its ETag was answered. */
  crc: number | null;
}

function parsePartFile(name: string): PartFile | null {
  const match = PART_FILE.exec(name);
  if (!match?.[1] || !match[2]) return null;
  return { name, partNumber: Number(match[1]), etag: match[2], crc: match[3] === undefined ? null : parseInt(match[3], 16) };
}

const hex8 = (value: number) => value.toString(16).padStart(8, "0");

/**
 * The local store's multipart uploads: `<root>/.multipart/<uploadId>/` holds `upload.json` (key and
 * content type) and one file per part named `<partNumber>.<etag>.<crc32>` (the ETag 32 random hex
 * digits, new for every PUT; the CRC-32 of the bytes as received, 8 hex digits), so listing needs no
 * reads and a part is visible only once complete (written to a temp name, then renamed).
 *
 * A part is not flushed: until complete it is scratch the client still holds. Complete reads every
 * part anyway to concatenate it and checks its CRC on the way; a part lost or changed on disk since
 * its PUT (a power cut, a hand edit) fails complete naming the part, which the client sends again.
 * The assembled object is flushed as any single PUT is (docs/adr/0027).
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
      // No flush: complete checks the CRC instead (see the class comment).
      await pipeline(body, meter, createWriteStream(temp, { flags: "wx", highWaterMark: PART_STREAM_BUFFER }));
      if (meter.bytes !== sizeBytes) throw new UploadIncompleteError();
      const etag = randomBytes(16).toString("hex");
      const folder = this.folder(uploadId);
      // Aborted meanwhile: the part has nowhere to go.
      if (!(await this.describe(uploadId))) throw new UploadNotFoundError();
      const file = path.join(folder, `${partNumber}.${etag}.${hex8(meter.crc)}`);
      await rename(temp, file);
      // A part sent again replaces the earlier one: every PUT removes the versions older than its own,
      // and its own when a newer one is there, so racing PUTs of one part leave exactly the newest
      // (removing every other version, each would remove the other's and leave none).
      const mine = await stat(file).catch(nullWhenMissing);
      // Already replaced by a newer PUT of the same part: the last one wins, as on S3.
      if (!mine) return `"${etag}"`;
      for (const name of await readdir(folder)) {
        const version = parsePartFile(name);
        if (!version || version.partNumber !== partNumber || version.etag === etag) continue;
        const other = await stat(path.join(folder, name)).catch(nullWhenMissing);
        if (!other) continue;
        const older = isNewer({ mtimeMs: mine.mtimeMs, etag }, { mtimeMs: other.mtimeMs, etag: version.etag });
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
      const file = parsePartFile(name);
      if (!file) continue;
      const stats = await stat(path.join(folder, name)).catch(nullWhenMissing);
      if (!stats) continue;
      const partNumber = file.partNumber;
      const earlier = parts.get(partNumber);
      const version = { mtimeMs: stats.mtimeMs, etag: file.etag };
      if (earlier && !isNewer(version, { mtimeMs: earlier.mtimeMs, etag: earlier.etag.replace(/"/g, "") })) continue;
      parts.set(partNumber, { partNumber, etag: `"${version.etag}"`, sizeBytes: stats.size, mtimeMs: stats.mtimeMs });
    }
    return [...parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(({ partNumber, etag, sizeBytes }) => ({ partNumber, etag, sizeBytes }));
  }

  /**
   * The parts, in order, as one stream (never buffered whole). Checks every named part first: a
   * missing part or another ETag is a MultipartPartMismatchError and nothing changes. Each part's
   * bytes are checked against its CRC-32 as they stream by: if any no longer match, the stream ends
   * in a MultipartPartMismatchError naming those parts (read to the end, so it names them all) —
   * the caller's temp file is discarded, the parts stay as they are.
   */
  async assemble(uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<Readable> {
    if (parts.length === 0) throw new MultipartPartMismatchError("no parts");
    const folder = this.folder(uploadId);
    const stored = new Map<string, PartFile>();
    for (const name of (await readdir(folder).catch(nullWhenMissing)) ?? []) {
      const file = parsePartFile(name);
      if (file) stored.set(`${file.partNumber}.${file.etag}`, file);
    }
    const files: (PartFile & { path: string })[] = [];
    let previous = 0;
    for (const part of parts) {
      if (part.partNumber <= previous) throw new MultipartPartMismatchError("parts must be in ascending order");
      previous = part.partNumber;
      const etag = part.etag.replace(/"/g, "").toLowerCase();
      const file = stored.get(`${part.partNumber}.${etag}`);
      if (!file) throw new MultipartPartMismatchError(`part ${part.partNumber} is missing or has another ETag`);
      files.push({ ...file, path: path.join(folder, file.name) });
    }
    // Every named part is opened before a byte is read: a PUT of the same part racing this complete
    // replaces the file under its name, but an open file keeps the version that was named.
    const handles = await openAll(files);
    async function* chunks(): AsyncGenerator<Buffer> {
      const changed: number[] = [];
      try {
        for (const [index, file] of files.entries()) {
          let crc = 0;
          for await (const chunk of handles[index]!.createReadStream({ autoClose: false, start: 0 })) {
            const bytes = chunk as Buffer;
            if (file.crc !== null) crc = crc32(bytes, crc);
            // Past a changed part nothing more is written: the rest is only read for its CRC.
            if (changed.length === 0) yield bytes;
          }
          if (file.crc !== null && crc !== file.crc) changed.push(file.partNumber);
        }
      } finally {
        await Promise.all(handles.map((handle) => handle.close()));
      }
      if (changed.length > 0) {
        throw new MultipartPartMismatchError(`the bytes of part ${changed.join(", ")} changed since the PUT`, changed);
      }
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

/** Opens every part, or none: a part gone since the listing (replaced by a newer PUT) is a mismatch, not a 500. */
async function openAll(files: readonly (PartFile & { path: string })[]): Promise<FileHandle[]> {
  const opened = await Promise.allSettled(files.map((file) => open(file.path, "r")));
  const handles = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = opened.findIndex((result) => result.status === "rejected");
  if (failed < 0) return handles;
  await Promise.all(handles.map((handle) => handle.close()));
  nullWhenMissing((opened[failed] as PromiseRejectedResult).reason);
  throw new MultipartPartMismatchError(`part ${files[failed]!.partNumber} is missing or has another ETag`);
}
