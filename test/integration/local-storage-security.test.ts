import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import http from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileUrlSigner } from "../../server/src/storage/file-url-signer.js";
import { UploadIncompleteError, UploadTooLargeError } from "../../server/src/storage/local-disk.storage.js";
import { InvalidObjectKeyError } from "../../server/src/storage/storage-keys.js";
import { sha256, startLocalStorageServer, waitFor, type LocalStorageHarness } from "../support/local-storage-server.js";

let h: LocalStorageHarness;
beforeAll(async () => {
  h = await startLocalStorageServer();
});
afterAll(() => h.close());

describe("local disk storage over HTTP", () => {
  it("refuses tampered, replayed and expired URLs with 403 and writes nothing", async () => {
    const bytes = randomBytes(64);
    const key = "videos/guarded/source";
    const target = await h.putUrl(key, bytes.length);
    const put = (url: string | URL, init: RequestInit = {}) =>
      fetch(url, { method: "PUT", headers: target.headers, body: bytes, ...init });

    const tampered = new URL(target.url);
    const signature = tampered.searchParams.get("signature") ?? "";
    tampered.searchParams.set("signature", `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`);
    const otherKey = new URL(target.url);
    otherKey.pathname = "/files/videos/someone-else/source";
    const otherType = new URL(target.url);
    otherType.searchParams.set("type", "text/html");
    const otherSize = new URL(target.url);
    otherSize.searchParams.set("size", "65");
    const unsigned = new URL(target.url);
    unsigned.searchParams.delete("signature");
    const doubled = new URL(target.url);
    doubled.searchParams.append("size", "64");

    for (const [label, response] of [
      ["tampered signature", await put(tampered)],
      ["other key", await put(otherKey)],
      ["other content type", await put(otherType, { headers: { "Content-Type": "text/html" } })],
      ["other size", await put(otherSize, { body: randomBytes(65) })],
      ["no signature", await put(unsigned)],
      ["repeated parameter", await put(doubled)],
      ["PUT URL used for GET", await fetch(target.url)],
    ] as const) {
      expect(response.status, label).toBe(403);
      expect(await h.errorCodeOf(response), label).toBe("FILE_URL_INVALID");
    }
    const download = await h.storage.createDownloadUrl(key, { expiresInSeconds: 60 });
    const getUrlForPut = await put(download.url);
    expect(getUrlForPut.status).toBe(403);
    await getUrlForPut.arrayBuffer();

    const shortLived = await h.putUrl(key, bytes.length, "video/mp4", 60);
    h.clock.advance(61_000);
    const expired = await put(shortLived.url);
    expect(expired.status).toBe(403);
    expect(await h.errorCodeOf(expired)).toBe("FILE_URL_EXPIRED");

    expect(await h.storage.head(key)).toBeNull();
    expect(await h.storage.head("videos/someone-else/source")).toBeNull();
    expect(await h.tempFiles()).toEqual([]);
  });

  it("holds the body to the signed Content-Type and Content-Length", async () => {
    const key = "videos/strict/source";
    const target = await h.putUrl(key, 1000);
    const wrongType = await fetch(target.url, {
      method: "PUT",
      headers: { "Content-Type": "video/webm" },
      body: randomBytes(1000),
    });
    expect(wrongType.status).toBe(400);
    expect(await h.errorCodeOf(wrongType)).toBe("FILE_CONTENT_TYPE_MISMATCH");

    const larger = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(1001) });
    expect(larger.status).toBe(413);
    expect(await h.errorCodeOf(larger)).toBe("FILE_TOO_LARGE");

    const smaller = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(999) });
    expect(smaller.status).toBe(400);
    expect(await h.errorCodeOf(smaller)).toBe("FILE_SIZE_MISMATCH");

    // A streamed body goes out chunked, without Content-Length: the size cannot be checked up front.
    const chunked = await fetch(target.url, {
      method: "PUT",
      headers: target.headers,
      body: Readable.toWeb(Readable.from([randomBytes(500), randomBytes(500)])) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(await h.errorCodeOf(chunked)).toBe("FILE_LENGTH_REQUIRED");

    expect(await h.storage.head(key)).toBeNull();
    expect(await h.tempFiles()).toEqual([]);
  });

  it("aborts a body much larger than signed with 413 without storing any of it", async () => {
    const key = "videos/huge/source";
    const target = await h.putUrl(key, 1024);
    // The server answers before reading the body and closes the connection; fetch still gets the answer.
    const response = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(4 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(await h.errorCodeOf(response)).toBe("FILE_TOO_LARGE");
    expect(await h.storage.head(key)).toBeNull();
    expect(await h.tempFiles()).toEqual([]);
  });

  it("makes traversal impossible: bad keys are refused when signing and when requested, even with a valid signature", async () => {
    const before = await h.filesUnder(h.sandbox);
    for (const key of ["../x", "a/../../b", "/etc/passwd", "%2e%2e/x", "a//b", "a/./b", ".meta/x.json", ".tmp/x", "a/", ""]) {
      await expect(h.putUrl(key, 4), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(h.storage.head(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(h.storage.readableLocation(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    // Signatures made with the real secret for hostile keys, sent on raw request lines fetch would normalise.
    const signer = new FileUrlSigner(h.config.files.signingSecret);
    const expires = Math.floor(h.clock.now().getTime() / 1000) + 60;
    const attempts: Array<[string, string]> = [
      ["../x", "/files/../x"],
      ["../x", "/files/%2e%2e/x"],
      ["../../x", "/files/%2E%2E/%2e%2e/x"],
      ["a/../../b", "/files/a/../../b"],
      ["a/../../b", "/files/a%2F..%2F..%2Fb"],
      ["/etc/evil", "/files/%2Fetc%2Fevil"],
      ["a//b", "/files/a//b"],
      [".meta/x.json", "/files/.meta/x.json"],
    ];
    for (const [key, requestPath] of attempts) {
      const query = signer.toQuery({ method: "PUT", key, expires, contentType: "video/mp4", sizeBytes: 4 });
      const response = await h.rawRequest({
        method: "PUT",
        path: `${requestPath}?${query}`,
        headers: { "Content-Type": "video/mp4", "Content-Length": 4 },
        body: Buffer.from("evil"),
      });
      expect(response.status, requestPath).toBe(400);
      expect(JSON.parse(response.body).error.errorCode, requestPath).toBe("FILE_KEY_INVALID");
      const read = await h.rawRequest({
        method: "GET",
        path: `${requestPath}?${signer.toQuery({ method: "GET", key, expires })}`,
      });
      expect(read.status, requestPath).toBe(400);
    }
    expect(await h.filesUnder(h.sandbox)).toEqual(before);
    expect(await readdir(h.sandbox)).toEqual(["objects"]);
  });

  it("refuses a key segment too long for a file name with 400, even when signed, and takes the longest allowed", async () => {
    const signer = new FileUrlSigner(h.config.files.signingSecret);
    const expires = Math.floor(h.clock.now().getTime() / 1000) + 60;
    for (const key of [`videos/${"a".repeat(251)}/source`, `videos/x/${"b".repeat(300)}`, "c".repeat(256)]) {
      await expect(h.putUrl(key, 4), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      const put = await h.rawRequest({
        method: "PUT",
        path: `/files/${key}?${signer.toQuery({ method: "PUT", key, expires, contentType: "video/mp4", sizeBytes: 4 })}`,
        headers: { "Content-Type": "video/mp4", "Content-Length": 4 },
        body: Buffer.from("evil"),
      });
      expect(put.status, key).toBe(400);
      expect(JSON.parse(put.body).error.errorCode, key).toBe("FILE_KEY_INVALID");
      const get = await h.rawRequest({ method: "GET", path: `/files/${key}?${signer.toQuery({ method: "GET", key, expires })}` });
      expect(get.status, key).toBe(400);
    }
    // 250 bytes leaves room for the ".json" of the object's sidecar within the 255-byte name limit.
    const longest = `videos/${"d".repeat(250)}/source`;
    const bytes = randomBytes(32);
    expect((await h.upload(longest, bytes)).status).toBe(200);
    const { url } = await h.storage.createDownloadUrl(longest, { expiresInSeconds: 60 });
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
  });

  it("never shows a partial upload: HEAD and GET say 404 until the last byte is in and renamed", async () => {
    const key = "videos/slow/source";
    const bytes = randomBytes(200_000);
    const target = await h.putUrl(key, bytes.length);
    const { url: readUrl } = await h.storage.createDownloadUrl(key, { expiresInSeconds: 600 });

    const finished = new Promise<number>((resolve, reject) => {
      const request = http.request(
        target.url,
        { method: "PUT", headers: { ...target.headers, "Content-Length": bytes.length } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      request.on("error", reject);
      request.write(bytes.subarray(0, 100_000));
      void waitFor(async () => (await h.tempFiles()).length === 1).then(async () => {
        expect(await h.storage.head(key)).toBeNull();
        expect((await fetch(readUrl)).status).toBe(404);
        expect((await fetch(readUrl, { method: "HEAD" })).status).toBe(404);
        request.end(bytes.subarray(100_000));
      }, reject);
    });
    expect(await finished).toBe(200);
    expect(await h.storage.head(key)).toMatchObject({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    expect(await h.tempFiles()).toEqual([]);
  });

  it("removes the temp file when the client goes away mid-upload", async () => {
    const key = "videos/abandoned/source";
    const target = await h.putUrl(key, 100_000);
    const request = http.request(target.url, { method: "PUT", headers: { ...target.headers, "Content-Length": 100_000 } });
    request.on("error", () => {});
    request.write(randomBytes(40_000));
    await waitFor(async () => (await h.tempFiles()).length === 1);
    request.destroy();
    await waitFor(async () => (await h.tempFiles()).length === 0);
    expect(await h.storage.head(key)).toBeNull();
  });

  it("answers 409 when a key would need an existing object to be a folder", async () => {
    expect((await h.upload("videos/conflict", randomBytes(8))).status).toBe(200);
    const response = await h.upload("videos/conflict/inner", randomBytes(8));
    expect(response.status).toBe(409);
    expect(await h.errorCodeOf(response)).toBe("FILE_KEY_CONFLICT");
    expect(await h.storage.head("videos/conflict/inner")).toBeNull();
    expect(await h.storage.head("videos/conflict")).toMatchObject({ sizeBytes: 8, contentType: "video/mp4" });
    expect(await h.tempFiles()).toEqual([]);
  });

  it("enforces the size while streaming, whatever the headers said", async () => {
    const key = "videos/stream-check/source";
    const tooMuch = Readable.from([randomBytes(600), randomBytes(600)]);
    await expect(h.storage.receiveUpload(key, tooMuch, { contentType: "video/mp4", sizeBytes: 1000 })).rejects.toBeInstanceOf(
      UploadTooLargeError,
    );
    const tooLittle = Readable.from([randomBytes(600)]);
    await expect(h.storage.receiveUpload(key, tooLittle, { contentType: "video/mp4", sizeBytes: 1000 })).rejects.toBeInstanceOf(
      UploadIncompleteError,
    );
    expect(await h.storage.head(key)).toBeNull();
    expect(await h.tempFiles()).toEqual([]);
  });
});
