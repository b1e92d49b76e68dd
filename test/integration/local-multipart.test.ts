import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

  it("stores a part of exactly its size or nothing", async () => {
    const uploadId = await uploads.create("videos/c/source", "video/mp4");
    await expect(uploads.receivePart(uploadId, 1, body(Buffer.from("toolong")), 6)).rejects.toThrow();
    await expect(uploads.receivePart(uploadId, 1, body(Buffer.from("short")), 6)).rejects.toThrow();
    expect(await uploads.list(uploadId)).toEqual([]);
    expect(await readdir(path.join(root, ".tmp"))).toEqual([]);
  });
});
