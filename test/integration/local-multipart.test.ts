import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, readdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MultipartPartMismatchError } from "../../server/src/shared/application/object-storage.js";
import { LocalMultipartUploads } from "../../server/src/storage/local-multipart.js";

/** A body that arrives in several chunks, as a socket delivers it. */
const body = (bytes: Buffer) => Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]);

describe("local multipart parts", () => {
  let root: string;
  let uploads: LocalMultipartUploads;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "reelbase-local-multipart-"));
    const temp = path.join(root, ".tmp");
    await mkdir(temp, { recursive: true });
    uploads = new LocalMultipartUploads(root, temp);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("answers a new opaque ETag for every PUT of a part; only the newest is kept and listed", async () => {
    const uploadId = await uploads.create("videos/a/source", "video/mp4");
    const first = await uploads.receivePart(uploadId, 1, body(Buffer.from("first!")), 6);
    const second = await uploads.receivePart(uploadId, 1, body(Buffer.from("second")), 6);
    expect(first).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second).not.toBe(first);
    expect(await uploads.list(uploadId)).toEqual([{ partNumber: 1, etag: second, sizeBytes: 6 }]);
    // The replaced version is gone: naming it is a mismatch, naming the newest assembles it.
    await expect(uploads.assemble(uploadId, [{ partNumber: 1, etag: first }])).rejects.toThrow(/missing or has another ETag/);
    expect(await text(await uploads.assemble(uploadId, [{ partNumber: 1, etag: second }]))).toBe("second");
  });

  it("keeps exactly one version when PUTs of the same part race", async () => {
    const uploadId = await uploads.create("videos/b/source", "video/mp4");
    const bytes = randomBytes(64 * 1024);
    const etags = await Promise.all(Array.from({ length: 6 }, () => uploads.receivePart(uploadId, 2, body(bytes), bytes.length)));
    expect(new Set(etags).size).toBe(6);
    const listed = await uploads.list(uploadId);
    expect(listed).toHaveLength(1);
    expect(etags).toContain(listed?.[0]?.etag);
    const files = (await readdir(path.join(root, ".multipart", uploadId))).filter((name) => name.startsWith("2."));
    expect(files).toHaveLength(1);
    const assembled = await uploads.assemble(uploadId, [{ partNumber: 2, etag: listed?.[0]?.etag ?? "" }]);
    const chunks: Buffer[] = [];
    for await (const chunk of assembled) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it("assembles the versions it was given when a PUT of the same part replaces one during the complete", async () => {
    const uploadId = await uploads.create("videos/race/source", "video/mp4");
    const named = await uploads.receivePart(uploadId, 1, body(Buffer.from("named!")), 6);
    const assembled = await uploads.assemble(uploadId, [{ partNumber: 1, etag: named }]);
    // A newer PUT of part 1 lands after the complete has begun and removes the named version's file.
    const newer = await uploads.receivePart(uploadId, 1, body(Buffer.from("newer!")), 6);
    expect(newer).not.toBe(named);
    expect(await text(assembled)).toBe("named!");
  });

  it("stores a part of exactly its size or nothing", async () => {
    const uploadId = await uploads.create("videos/c/source", "video/mp4");
    await expect(uploads.receivePart(uploadId, 1, body(Buffer.from("toolong")), 6)).rejects.toThrow();
    await expect(uploads.receivePart(uploadId, 1, body(Buffer.from("short")), 6)).rejects.toThrow();
    expect(await uploads.list(uploadId)).toEqual([]);
    expect(await readdir(path.join(root, ".tmp"))).toEqual([]);
  });

  /** The file holding the stored version `etag` of a part, by its name `<partNumber>.<etag>[.<crc32>]`. */
  async function partFile(uploadId: string, partNumber: number, etag: string): Promise<string> {
    const folder = path.join(root, ".multipart", uploadId);
    const prefix = `${partNumber}.${etag.replace(/"/g, "")}`;
    const name = (await readdir(folder)).find((file) => file === prefix || file.startsWith(`${prefix}.`));
    if (!name) throw new Error(`no file for part ${partNumber}`);
    return path.join(folder, name);
  }

  /** Flips one byte in place: the same size, another content, as a lost write or a bit rot leaves it. */
  async function flipByte(file: string, position: number): Promise<void> {
    const handle = await open(file, "r+");
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, position);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await handle.write(byte, 0, 1, position);
    } finally {
      await handle.close();
    }
  }

  async function drain(stream: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it("checks every part's bytes against the CRC-32 its PUT recorded, naming each part that changed", async () => {
    const uploadId = await uploads.create("videos/d/source", "video/mp4");
    const bytes = [randomBytes(200_000), randomBytes(150_000), randomBytes(100_000)];
    const etags: string[] = [];
    for (const [index, part] of bytes.entries())
      etags.push(await uploads.receivePart(uploadId, index + 1, body(part), part.length));
    const named = etags.map((etag, index) => ({ partNumber: index + 1, etag }));
    const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
    expect(sha256(await drain(await uploads.assemble(uploadId, named)))).toBe(sha256(Buffer.concat(bytes)));

    await flipByte(await partFile(uploadId, 1, etags[0] ?? ""), 100_000);
    await flipByte(await partFile(uploadId, 3, etags[2] ?? ""), 0);
    const refused = await drain(await uploads.assemble(uploadId, named)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MultipartPartMismatchError);
    expect((refused as MultipartPartMismatchError).changedParts).toEqual([1, 3]);
    // Same sizes: the listing cannot tell, only the CRC does; the parts and the upload stay.
    expect((await uploads.list(uploadId))?.map((part) => part.sizeBytes)).toEqual([200_000, 150_000, 100_000]);

    etags[0] = await uploads.receivePart(uploadId, 1, body(bytes[0] ?? Buffer.alloc(0)), 200_000);
    etags[2] = await uploads.receivePart(uploadId, 3, body(bytes[2] ?? Buffer.alloc(0)), 100_000);
    const again = etags.map((etag, index) => ({ partNumber: index + 1, etag }));
    expect(sha256(await drain(await uploads.assemble(uploadId, again)))).toBe(sha256(Buffer.concat(bytes)));
  });

  it("assembles a part stored before parts carried a CRC (it was flushed instead) as it is", async () => {
    const uploadId = await uploads.create("videos/e/source", "video/mp4");
    const etag = await uploads.receivePart(uploadId, 1, body(Buffer.from("legacy")), 6);
    const file = await partFile(uploadId, 1, etag);
    await rename(file, file.replace(/\.[0-9a-f]{8}$/, ""));
    expect(await uploads.list(uploadId)).toEqual([{ partNumber: 1, etag, sizeBytes: 6 }]);
    expect(await text(await uploads.assemble(uploadId, [{ partNumber: 1, etag }]))).toBe("legacy");
  });
});
