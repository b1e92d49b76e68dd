import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  MultipartPartMismatchError,
  type ObjectStorage,
  type PresignedUpload,
  type StoredObject,
  type UploadedPart,
} from "../shared/application/object-storage.js";
import { systemClock, type Clock } from "../shared/application/clock.js";
import type { PublicUrl } from "../shared/application/public-url.js";
import { FileUrlSigner, type FileUrlClaims } from "./file-url-signer.js";
import {
  isSidecar,
  nullWhenMissing,
  syncDirectory,
  UploadIncompleteError,
  UploadTooLargeError,
  type Sidecar,
} from "./local-disk-files.js";
import { isLocalUploadId, LocalMultipartUploads, MAX_PART_NUMBER } from "./local-multipart.js";
import { assertPutFileRequest, HashMeter, openSourceFile } from "./source-file.js";
import { StorageErrors } from "./storage-errors.js";
import { assertUploadRequest, assertValidObjectKey, keyToUrlPath, pathInside } from "./storage-keys.js";

export { UploadIncompleteError, UploadTooLargeError } from "./local-disk-files.js";

export interface LocalDiskStorageOptions {
  dir: string;
  publicUrl: PublicUrl;
  signingSecret: string;
  maxUploadBytes: number;
  clock?: Clock;
}

/** An open object for the /files route: the handle is read from, so a concurrent delete or overwrite cannot swap the bytes. */
export interface OpenedObject {
  handle: FileHandle;
  sizeBytes: number;
  contentType: string | null;
}

/** Printable ASCII only: the value is echoed in a response header. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * The embedded object store. Objects live at `<dir>/<key>`; beside them, in folders no key can
 * name (keys never start with "."), `.tmp/` holds uploads in progress and `.meta/` the sidecars.
 * An upload becomes visible only through rename(2), which is atomic within one file system.
 */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = "local" as const;
  readonly root: string;
  private readonly tempDir: string;
  private readonly metaDir: string;
  private readonly signer: FileUrlSigner;
  private readonly clock: Clock;
  readonly multipart: LocalMultipartUploads;

  constructor(private readonly options: LocalDiskStorageOptions) {
    this.root = path.resolve(options.dir);
    this.tempDir = path.join(this.root, ".tmp");
    this.metaDir = path.join(this.root, ".meta");
    this.signer = new FileUrlSigner(options.signingSecret);
    this.clock = options.clock ?? systemClock;
    // Synchronous once at start-up, so the first request never races the folders into being.
    mkdirSync(this.tempDir, { recursive: true });
    mkdirSync(this.metaDir, { recursive: true });
    this.multipart = new LocalMultipartUploads(this.root, this.tempDir);
  }

  async createMultipartUpload(key: string, options: { contentType: string }): Promise<{ uploadId: string }> {
    assertUploadRequest(key, { contentType: options.contentType, sizeBytes: 0 }, this.options.maxUploadBytes);
    return { uploadId: await this.multipart.create(key, options.contentType) };
  }

  /** `PUT /files/_multipart/<uploadId>/<partNumber>`: "_" starts no object key, so the path names no object. */
  async signPartUrl(
    key: string,
    uploadId: string,
    options: { partNumber: number; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    assertValidObjectKey(key);
    if (!isLocalUploadId(uploadId)) throw new Error("Invalid upload id");
    if (!Number.isInteger(options.partNumber) || options.partNumber < 1 || options.partNumber > MAX_PART_NUMBER) {
      throw new Error("Part number out of range");
    }
    if (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < 1 || options.sizeBytes > this.options.maxUploadBytes) {
      throw new Error("Part size out of range");
    }
    const expires = this.expiry(options.expiresInSeconds);
    const claims: FileUrlClaims = {
      method: "PUT",
      key: partClaimKey(uploadId, options.partNumber),
      expires,
      sizeBytes: options.sizeBytes,
    };
    return {
      url: `${this.options.publicUrl.value}/files/${claims.key}?${this.signer.toQuery(claims)}`,
      method: "PUT",
      headers: {},
      expiresAt: new Date(expires * 1000),
    };
  }

  async listParts(_key: string, uploadId: string): Promise<UploadedPart[] | null> {
    return this.multipart.list(uploadId);
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    const upload = await this.multipart.describe(uploadId);
    if (!upload || upload.key !== key) throw new MultipartPartMismatchError("no such upload");
    const body = await this.multipart.assemble(uploadId, parts);
    await this.store(key, body, upload.contentType);
    await this.multipart.remove(uploadId);
  }

  async abortMultipartUpload(_key: string, uploadId: string): Promise<void> {
    await this.multipart.remove(uploadId);
  }

  async createUploadUrl(
    key: string,
    options: { contentType: string; sizeBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    assertUploadRequest(key, options, this.options.maxUploadBytes);
    const expires = this.expiry(options.expiresInSeconds);
    const claims: FileUrlClaims = { method: "PUT", key, expires, contentType: options.contentType, sizeBytes: options.sizeBytes };
    return {
      url: this.urlFor(claims),
      method: "PUT",
      headers: { "Content-Type": options.contentType },
      expiresAt: new Date(expires * 1000),
    };
  }

  async createDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; filename?: string },
  ): Promise<{ url: string; expiresAt: Date }> {
    assertValidObjectKey(key);
    const expires = this.expiry(options.expiresInSeconds);
    const claims: FileUrlClaims = { method: "GET", key, expires, ...(options.filename ? { filename: options.filename } : {}) };
    return { url: this.urlFor(claims), expiresAt: new Date(expires * 1000) };
  }

  async head(key: string): Promise<StoredObject | null> {
    const file = pathInside(this.root, key);
    const stats = await stat(file, { bigint: true }).catch(nullWhenMissing);
    if (!stats?.isFile()) return null;
    const sidecar = await this.readSidecar(key, stats.ino, Number(stats.size));
    return { sizeBytes: Number(stats.size), contentType: sidecar?.contentType ?? null, sha256: sidecar?.sha256 ?? null };
  }

  async sha256(key: string): Promise<string> {
    const object = await this.head(key);
    if (!object) throw StorageErrors.objectNotFound();
    if (object.sha256) return object.sha256;
    // No sidecar (written by hand, or a crash between the two renames): hash the bytes.
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(pathInside(this.root, key))) hash.update(chunk as Buffer);
    return hash.digest("hex");
  }

  async readableLocation(key: string): Promise<string> {
    return pathInside(this.root, key);
  }

  async delete(key: string): Promise<void> {
    await rm(pathInside(this.root, key), { force: true });
    await rm(this.sidecarPath(key), { force: true });
  }

  async ping(): Promise<void> {
    // access(W_OK) says yes on a full disk; writing a byte is the honest check.
    const probe = path.join(this.tempDir, `ping-${randomUUID()}`);
    await writeFile(probe, "ok");
    await rm(probe, { force: true });
  }

  /** Checks a request against its signature. The route supplies method and key from the request line. */
  verify(claims: FileUrlClaims, signature: string): "ok" | "invalid" | "expired" {
    if (!this.signer.verify(claims, signature)) return "invalid";
    return claims.expires * 1000 < this.clock.now().getTime() ? "expired" : "ok";
  }

  /** The /files PUT: `body` must be exactly the signed size; anything else is refused and nothing is stored. */
  async receiveUpload(key: string, body: Readable, expected: { contentType: string; sizeBytes: number }): Promise<StoredObject> {
    return this.store(key, body, expected.contentType, expected.sizeBytes);
  }

  async putFile(key: string, filePath: string, options: { contentType: string }): Promise<{ sizeBytes: number; sha256: string }> {
    assertPutFileRequest(key, options.contentType);
    const source = await openSourceFile(filePath);
    try {
      // Copied rather than renamed: the source may sit on another file system, and it stays the caller's to remove.
      const { sizeBytes, sha256 } = await this.store(key, source.stream(), options.contentType);
      return { sizeBytes, sha256 };
    } finally {
      await source.close();
    }
  }

  /**
   * Streams `body` to a temp file, counting and hashing on the way, and makes it visible under
   * `key` only once every byte is on disk (with `exactBytes`, only if there were exactly that many).
   * Any failure removes the temp file and leaves whatever was under `key` untouched.
   */
  private async store(
    key: string,
    body: Readable,
    contentType: string,
    exactBytes?: number,
  ): Promise<StoredObject & { sha256: string }> {
    const target = pathInside(this.root, key);
    const temp = path.join(this.tempDir, `${randomUUID()}.part`);
    // Refused the moment the limit is crossed: the excess never reaches the disk.
    const meter = new HashMeter(
      exactBytes === undefined ? undefined : { maxBytes: exactBytes, tooLarge: () => new UploadTooLargeError() },
    );
    try {
      // flush: fsync before close, so a rename after a power cut never points at missing data.
      await pipeline(body, meter, createWriteStream(temp, { flags: "wx", flush: true }));
      if (exactBytes !== undefined && meter.bytes !== exactBytes) throw new UploadIncompleteError();
      const sizeBytes = meter.bytes;
      const sha256 = meter.digest();
      const { ino } = await stat(temp, { bigint: true });
      // Folders first, so a key that collides with another object fails before anything is written.
      await mkdir(path.dirname(target), { recursive: true });
      // Then the sidecar: until the object's rename it names an inode that is not (yet) the key's.
      await this.writeSidecar(key, { sizeBytes, contentType, sha256, inode: ino.toString() });
      await rename(temp, target);
      await syncDirectory(path.dirname(target));
      return { sizeBytes, contentType, sha256 };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** null when there is no such object. */
  async openForRead(key: string): Promise<OpenedObject | null> {
    const handle = await open(pathInside(this.root, key), "r").catch(nullWhenMissing);
    if (!handle) return null;
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const sidecar = await this.readSidecar(key, stats.ino, Number(stats.size));
      return { handle, sizeBytes: Number(stats.size), contentType: sidecar?.contentType ?? null };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The /files PUT of one part: exactly the signed size, streamed to disk. Answers the quoted ETag. */
  async receivePart(uploadId: string, partNumber: number, body: Readable, sizeBytes: number): Promise<string> {
    return this.multipart.receivePart(uploadId, partNumber, body, sizeBytes);
  }

  private urlFor(claims: FileUrlClaims): string {
    return `${this.options.publicUrl.value}/files/${keyToUrlPath(claims.key)}?${this.signer.toQuery(claims)}`;
  }

  private expiry(expiresInSeconds: number): number {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_EXPIRY_SECONDS) {
      throw new Error("URL expiry out of range");
    }
    return Math.floor(this.clock.now().getTime() / 1000) + expiresInSeconds;
  }

  private sidecarPath(key: string): string {
    return `${pathInside(this.metaDir, key)}.json`;
  }

  private async writeSidecar(key: string, sidecar: Sidecar): Promise<void> {
    const target = this.sidecarPath(key);
    const temp = path.join(this.tempDir, `${randomUUID()}.meta`);
    try {
      await writeFile(temp, JSON.stringify(sidecar), { flag: "wx", flush: true });
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** The sidecar if it describes this very file (same inode and size); null otherwise. */
  private async readSidecar(key: string, inode: bigint, sizeBytes: number): Promise<Sidecar | null> {
    const text = await readFile(this.sidecarPath(key), "utf8").catch(nullWhenMissing);
    if (text === null) return null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isSidecar(parsed) || parsed.inode !== inode.toString() || parsed.sizeBytes !== sizeBytes) return null;
      return parsed;
    } catch {
      return null;
    }
  }
}

/** What a part URL's signature covers in place of an object key. */
export function partClaimKey(uploadId: string, partNumber: number): string {
  return `_multipart/${uploadId}/${partNumber}`;
}
