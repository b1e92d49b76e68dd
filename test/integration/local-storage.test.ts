import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../server/src/config/config.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { createObjectStorage } from "../../server/src/modules/videos/infra/storage/create-object-storage.js";
import { FileUrlSigner } from "../../server/src/modules/videos/infra/storage/file-url-signer.js";
import {
  LocalDiskStorage,
  UploadIncompleteError,
  UploadTooLargeError,
} from "../../server/src/modules/videos/infra/storage/local-disk.storage.js";
import { InvalidObjectKeyError } from "../../server/src/modules/videos/infra/storage/storage-keys.js";
import { PublicUrl } from "../../server/src/shared/application/public-url.js";
import { TestClock } from "../support/test-clock.js";

const logger = createWinstonLogger({ level: "silent", json: true });
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

let sandbox: string;
let root: string;
let config: AppConfig;
let storage: LocalDiskStorage;
let server: http.Server;
let baseUrl: string;
const clock = new TestClock();

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-local-storage-"));
  root = path.join(sandbox, "objects");
  config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
    LOCAL_STORAGE_DIR: root,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  });
  const publicUrl = new PublicUrl(undefined);
  const binding = createObjectStorage(config, publicUrl, logger, { clock });
  expect(binding.describe).toContain(root);
  if (!(binding.storage instanceof LocalDiskStorage) || !binding.routes) throw new Error("expected the local adapter");
  storage = binding.storage;
  const app = express();
  app.use(binding.routes.mountPath, binding.routes.router);
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publicUrl.setIfUnset(baseUrl);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(sandbox, { recursive: true, force: true });
});

async function putUrl(key: string, sizeBytes: number, contentType = "video/mp4", expiresInSeconds = 3600) {
  return storage.createUploadUrl(key, { contentType, sizeBytes, expiresInSeconds });
}

/** Exactly what a browser does with createUpload's answer: fetch(url, { method, headers, body }). */
async function upload(key: string, bytes: Buffer, contentType = "video/mp4"): Promise<Response> {
  const target = await putUrl(key, bytes.length, contentType);
  return fetch(target.url, { method: target.method, headers: target.headers, body: bytes });
}

async function errorCodeOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { errorCode: string } };
  return body.error.errorCode;
}

/** For request lines fetch would normalise ("../", "%2e%2e") and for bodies that stop half way. */
function rawRequest(options: { method: string; path: string; headers?: Record<string, string | number>; body?: Buffer }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    // Options, not a URL string: a URL would be normalised and "/files/../x" would never leave this process.
    const { hostname, port } = new URL(baseUrl);
    const target = { hostname, port, path: options.path, method: options.method, headers: options.headers };
    const request = http.request(target, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** Every file under `dir`, relative, hidden folders included. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

async function tempFiles(): Promise<string[]> {
  return readdir(path.join(root, ".tmp"));
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("local disk storage over HTTP", () => {
  it("takes a plain fetch PUT to the signed URL and gives back the same bytes, size, type and sha256", async () => {
    const bytes = randomBytes(300_000);
    const response = await upload("videos/round-trip/source", bytes);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });

    expect(await storage.head("videos/round-trip/source")).toEqual({
      sizeBytes: bytes.length,
      contentType: "video/mp4",
      sha256: sha256(bytes),
    });
    expect(await storage.sha256("videos/round-trip/source")).toBe(sha256(bytes));

    const location = await storage.readableLocation("videos/round-trip/source");
    expect(path.isAbsolute(location)).toBe(true);
    expect((await readFile(location)).equals(bytes)).toBe(true);

    const download = await storage.createDownloadUrl("videos/round-trip/source", { expiresInSeconds: 60 });
    const got = await fetch(download.url);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("video/mp4");
    expect(got.headers.get("content-length")).toBe(String(bytes.length));
    expect(got.headers.get("content-disposition")).toBeNull();
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await tempFiles()).toEqual([]);
  });

  it("issues URLs that name the public URL, carry the expiry and ask only for Content-Type", async () => {
    const target = await putUrl("videos/shape/source", 10);
    expect(target.url.startsWith(`${baseUrl}/files/videos/shape/source?`)).toBe(true);
    expect(target.method).toBe("PUT");
    expect(target.headers).toEqual({ "Content-Type": "video/mp4" });
    expect(Math.abs(target.expiresAt.getTime() - (clock.now().getTime() + 3600_000))).toBeLessThan(1500);
  });

  it("sends Content-Disposition for a signed filename, and headers only for HEAD", async () => {
    const bytes = randomBytes(1000);
    expect((await upload("videos/named/source", bytes)).status).toBe(200);
    const download = await storage.createDownloadUrl("videos/named/source", {
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
    expect((await upload("videos/ranges/source", bytes)).status).toBe(200);
    const { url } = await storage.createDownloadUrl("videos/ranges/source", { expiresInSeconds: 60 });
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

  it("refuses tampered, replayed and expired URLs with 403 and writes nothing", async () => {
    const bytes = randomBytes(64);
    const key = "videos/guarded/source";
    const target = await putUrl(key, bytes.length);
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
      expect(await errorCodeOf(response), label).toBe("FILE_URL_INVALID");
    }
    const download = await storage.createDownloadUrl(key, { expiresInSeconds: 60 });
    const getUrlForPut = await put(download.url);
    expect(getUrlForPut.status).toBe(403);
    await getUrlForPut.arrayBuffer();

    const shortLived = await putUrl(key, bytes.length, "video/mp4", 60);
    clock.advance(61_000);
    const expired = await put(shortLived.url);
    expect(expired.status).toBe(403);
    expect(await errorCodeOf(expired)).toBe("FILE_URL_EXPIRED");

    expect(await storage.head(key)).toBeNull();
    expect(await storage.head("videos/someone-else/source")).toBeNull();
    expect(await tempFiles()).toEqual([]);
  });

  it("holds the body to the signed Content-Type and Content-Length", async () => {
    const key = "videos/strict/source";
    const target = await putUrl(key, 1000);
    const wrongType = await fetch(target.url, {
      method: "PUT",
      headers: { "Content-Type": "video/webm" },
      body: randomBytes(1000),
    });
    expect(wrongType.status).toBe(400);
    expect(await errorCodeOf(wrongType)).toBe("FILE_CONTENT_TYPE_MISMATCH");

    const larger = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(1001) });
    expect(larger.status).toBe(413);
    expect(await errorCodeOf(larger)).toBe("FILE_TOO_LARGE");

    const smaller = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(999) });
    expect(smaller.status).toBe(400);
    expect(await errorCodeOf(smaller)).toBe("FILE_SIZE_MISMATCH");

    // A streamed body goes out chunked, without Content-Length: the size cannot be checked up front.
    const chunked = await fetch(target.url, {
      method: "PUT",
      headers: target.headers,
      body: Readable.toWeb(Readable.from([randomBytes(500), randomBytes(500)])) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(await errorCodeOf(chunked)).toBe("FILE_LENGTH_REQUIRED");

    expect(await storage.head(key)).toBeNull();
    expect(await tempFiles()).toEqual([]);
  });

  it("aborts a body much larger than signed with 413 without storing any of it", async () => {
    const key = "videos/huge/source";
    const target = await putUrl(key, 1024);
    // The server answers before reading the body and closes the connection; fetch still gets the answer.
    const response = await fetch(target.url, { method: "PUT", headers: target.headers, body: randomBytes(4 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(await errorCodeOf(response)).toBe("FILE_TOO_LARGE");
    expect(await storage.head(key)).toBeNull();
    expect(await tempFiles()).toEqual([]);
  });

  it("makes traversal impossible: bad keys are refused when signing and when requested, even with a valid signature", async () => {
    const before = await filesUnder(sandbox);
    for (const key of ["../x", "a/../../b", "/etc/passwd", "%2e%2e/x", "a//b", "a/./b", ".meta/x.json", ".tmp/x", "a/", ""]) {
      await expect(putUrl(key, 4), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.head(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.readableLocation(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    // Signatures made with the real secret for hostile keys, sent on raw request lines fetch would normalise.
    const signer = new FileUrlSigner(config.files.signingSecret);
    const expires = Math.floor(clock.now().getTime() / 1000) + 60;
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
      const response = await rawRequest({
        method: "PUT",
        path: `${requestPath}?${query}`,
        headers: { "Content-Type": "video/mp4", "Content-Length": 4 },
        body: Buffer.from("evil"),
      });
      expect(response.status, requestPath).toBe(400);
      expect(JSON.parse(response.body).error.errorCode, requestPath).toBe("FILE_KEY_INVALID");
      const read = await rawRequest({ method: "GET", path: `${requestPath}?${signer.toQuery({ method: "GET", key, expires })}` });
      expect(read.status, requestPath).toBe(400);
    }
    expect(await filesUnder(sandbox)).toEqual(before);
    expect(await readdir(sandbox)).toEqual(["objects"]);
  });

  it("never shows a partial upload: HEAD and GET say 404 until the last byte is in and renamed", async () => {
    const key = "videos/slow/source";
    const bytes = randomBytes(200_000);
    const target = await putUrl(key, bytes.length);
    const { url: readUrl } = await storage.createDownloadUrl(key, { expiresInSeconds: 600 });

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
      void waitFor(async () => (await tempFiles()).length === 1).then(async () => {
        expect(await storage.head(key)).toBeNull();
        expect((await fetch(readUrl)).status).toBe(404);
        expect((await fetch(readUrl, { method: "HEAD" })).status).toBe(404);
        request.end(bytes.subarray(100_000));
      }, reject);
    });
    expect(await finished).toBe(200);
    expect(await storage.head(key)).toMatchObject({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    expect(await tempFiles()).toEqual([]);
  });

  it("removes the temp file when the client goes away mid-upload", async () => {
    const key = "videos/abandoned/source";
    const target = await putUrl(key, 100_000);
    const request = http.request(target.url, { method: "PUT", headers: { ...target.headers, "Content-Length": 100_000 } });
    request.on("error", () => {});
    request.write(randomBytes(40_000));
    await waitFor(async () => (await tempFiles()).length === 1);
    request.destroy();
    await waitFor(async () => (await tempFiles()).length === 0);
    expect(await storage.head(key)).toBeNull();
  });

  it("answers 409 when a key would need an existing object to be a folder", async () => {
    expect((await upload("videos/conflict", randomBytes(8))).status).toBe(200);
    const response = await upload("videos/conflict/inner", randomBytes(8));
    expect(response.status).toBe(409);
    expect(await errorCodeOf(response)).toBe("FILE_KEY_CONFLICT");
    expect(await storage.head("videos/conflict/inner")).toBeNull();
    expect(await storage.head("videos/conflict")).toMatchObject({ sizeBytes: 8, contentType: "video/mp4" });
    expect(await tempFiles()).toEqual([]);
  });

  it("enforces the size while streaming, whatever the headers said", async () => {
    const key = "videos/stream-check/source";
    const tooMuch = Readable.from([randomBytes(600), randomBytes(600)]);
    await expect(storage.receiveUpload(key, tooMuch, { contentType: "video/mp4", sizeBytes: 1000 })).rejects.toBeInstanceOf(
      UploadTooLargeError,
    );
    const tooLittle = Readable.from([randomBytes(600)]);
    await expect(storage.receiveUpload(key, tooLittle, { contentType: "video/mp4", sizeBytes: 1000 })).rejects.toBeInstanceOf(
      UploadIncompleteError,
    );
    expect(await storage.head(key)).toBeNull();
    expect(await tempFiles()).toEqual([]);
  });

  it("answers 404 for a missing object, deletes idempotently, and hashes objects that have no sidecar", async () => {
    const { url } = await storage.createDownloadUrl("videos/missing/source", { expiresInSeconds: 60 });
    const missing = await fetch(url);
    expect(missing.status).toBe(404);
    expect(await errorCodeOf(missing)).toBe("FILE_NOT_FOUND");
    await expect(storage.sha256("videos/missing/source")).rejects.toMatchObject({ code: "STORAGE_OBJECT_NOT_FOUND" });

    const bytes = randomBytes(2048);
    expect((await upload("videos/doomed/source", bytes)).status).toBe(200);
    await storage.delete("videos/doomed/source");
    expect(await storage.head("videos/doomed/source")).toBeNull();
    const gone = await storage.createDownloadUrl("videos/doomed/source", { expiresInSeconds: 60 });
    expect((await fetch(gone.url)).status).toBe(404);
    await storage.delete("videos/doomed/source");

    // Written behind the store's back: no sidecar, so the type is unknown and the hash is computed.
    await writeFile(path.join(root, "hand-placed.bin"), bytes);
    expect(await storage.head("hand-placed.bin")).toEqual({ sizeBytes: 2048, contentType: null, sha256: null });
    expect(await storage.sha256("hand-placed.bin")).toBe(sha256(bytes));
  });

  it("pings while the folder is writable and fails once it is gone", async () => {
    await expect(storage.ping()).resolves.toBeUndefined();
    const broken = new LocalDiskStorage({
      dir: path.join(sandbox, "broken"),
      publicUrl: new PublicUrl(baseUrl),
      signingSecret: config.files.signingSecret,
      maxUploadBytes: MAX_UPLOAD_BYTES,
    });
    await rm(path.join(sandbox, "broken"), { recursive: true });
    await writeFile(path.join(sandbox, "broken"), "not a folder");
    await expect(broken.ping()).rejects.toThrow();
    await rm(path.join(sandbox, "broken"));
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
