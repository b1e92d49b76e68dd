import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDiskStorage } from "../../server/src/storage/local-disk.storage.js";
import { PublicUrl } from "../../server/src/shared/application/public-url.js";
import { MAX_UPLOAD_BYTES, sha256, startLocalStorageServer, type LocalStorageHarness } from "../support/local-storage-server.js";

let h: LocalStorageHarness;
beforeAll(async () => {
  h = await startLocalStorageServer();
});
afterAll(() => h.close());

describe("local disk storage over HTTP", () => {
  it("takes a plain fetch PUT to the signed URL and gives back the same bytes, size, type and sha256", async () => {
    const bytes = randomBytes(300_000);
    const response = await h.upload("videos/round-trip/source", bytes);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });

    expect(await h.storage.head("videos/round-trip/source")).toEqual({
      sizeBytes: bytes.length,
      contentType: "video/mp4",
      sha256: sha256(bytes),
    });
    expect(await h.storage.sha256("videos/round-trip/source")).toBe(sha256(bytes));

    const location = await h.storage.readableLocation("videos/round-trip/source");
    expect(path.isAbsolute(location)).toBe(true);
    expect((await readFile(location)).equals(bytes)).toBe(true);

    const download = await h.storage.createDownloadUrl("videos/round-trip/source", { expiresInSeconds: 60 });
    const got = await fetch(download.url);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("video/mp4");
    expect(got.headers.get("content-length")).toBe(String(bytes.length));
    expect(got.headers.get("content-disposition")).toBeNull();
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await h.tempFiles()).toEqual([]);
  });

  it("issues URLs that name the public URL, carry the expiry and ask only for Content-Type", async () => {
    const target = await h.putUrl("videos/shape/source", 10);
    expect(target.url.startsWith(`${h.baseUrl}/files/videos/shape/source?`)).toBe(true);
    expect(target.method).toBe("PUT");
    expect(target.headers).toEqual({ "Content-Type": "video/mp4" });
    expect(Math.abs(target.expiresAt.getTime() - (h.clock.now().getTime() + 3600_000))).toBeLessThan(1500);
  });

  it("sends Content-Disposition for a signed filename, and headers only for HEAD", async () => {
    const bytes = randomBytes(1000);
    expect((await h.upload("videos/named/source", bytes)).status).toBe(200);
    const download = await h.storage.createDownloadUrl("videos/named/source", {
      expiresInSeconds: 60,
      filename: 'my "clip" é.mp4',
    });
    const got = await fetch(download.url);
    expect(got.headers.get("content-disposition")).toBe(
      `attachment; filename="my _clip_ _.mp4"; filename*=UTF-8''my%20%22clip%22%20%C3%A9.mp4`,
    );
    await got.arrayBuffer();
    const head = await fetch(download.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("1000");
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    // Tampering with the filename breaks the signature like any other claim.
    const renamed = new URL(download.url);
    renamed.searchParams.set("filename", "other.mp4");
    expect((await fetch(renamed)).status).toBe(403);
  });

  it("answers a single byte range with 206 and exactly that slice", async () => {
    const bytes = randomBytes(5000);
    expect((await h.upload("videos/ranges/source", bytes)).status).toBe(200);
    const { url } = await h.storage.createDownloadUrl("videos/ranges/source", { expiresInSeconds: 60 });
    const cases: Array<[string, number, number]> = [
      ["bytes=100-199", 100, 199],
      ["bytes=4990-", 4990, 4999],
      ["bytes=-10", 4990, 4999],
      ["bytes=4000-999999", 4000, 4999],
    ];
    for (const [range, start, end] of cases) {
      const response = await fetch(url, { headers: { Range: range } });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/5000`);
      expect(response.headers.get("content-length")).toBe(String(end - start + 1));
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    const beyond = await fetch(url, { headers: { Range: "bytes=5000-" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */5000");
    await beyond.arrayBuffer();
    // Several ranges are not supported: the whole file, as RFC 9110 allows.
    const several = await fetch(url, { headers: { Range: "bytes=0-1,5-6" } });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(5000);
  });

  it("answers 404 for a missing object, deletes idempotently, and hashes objects that have no sidecar", async () => {
    const { url } = await h.storage.createDownloadUrl("videos/missing/source", { expiresInSeconds: 60 });
    const missing = await fetch(url);
    expect(missing.status).toBe(404);
    expect(await h.errorCodeOf(missing)).toBe("FILE_NOT_FOUND");
    await expect(h.storage.sha256("videos/missing/source")).rejects.toMatchObject({ code: "STORAGE_OBJECT_NOT_FOUND" });

    const bytes = randomBytes(2048);
    expect((await h.upload("videos/doomed/source", bytes)).status).toBe(200);
    await h.storage.delete("videos/doomed/source");
    expect(await h.storage.head("videos/doomed/source")).toBeNull();
    const gone = await h.storage.createDownloadUrl("videos/doomed/source", { expiresInSeconds: 60 });
    expect((await fetch(gone.url)).status).toBe(404);
    await h.storage.delete("videos/doomed/source");

    // Written behind the store's back: no sidecar, so the type is unknown and the hash is computed.
    await writeFile(path.join(h.root, "hand-placed.bin"), bytes);
    expect(await h.storage.head("hand-placed.bin")).toEqual({ sizeBytes: 2048, contentType: null, sha256: null });
    expect(await h.storage.sha256("hand-placed.bin")).toBe(sha256(bytes));
  });

  it("pings while the folder is writable and fails once it is gone", async () => {
    await expect(h.storage.ping()).resolves.toBeUndefined();
    const broken = new LocalDiskStorage({
      dir: path.join(h.sandbox, "broken"),
      publicUrl: new PublicUrl(h.baseUrl),
      signingSecret: h.config.files.signingSecret,
      maxUploadBytes: MAX_UPLOAD_BYTES,
    });
    await rm(path.join(h.sandbox, "broken"), { recursive: true });
    await writeFile(path.join(h.sandbox, "broken"), "not a folder");
    await expect(broken.ping()).rejects.toThrow();
    await rm(path.join(h.sandbox, "broken"));
  });
});
