import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { LocalFileNotFoundError, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { S3Storage, type S3StorageOptions } from "../../server/src/storage/s3.storage.js";
import { InvalidObjectKeyError } from "../../server/src/storage/storage-keys.js";
import { startLocalStorageServer, type LocalStorageHarness } from "../support/local-storage-server.js";
import { S3RVER_CREDENTIALS, startS3rver, FAST_POLICY } from "../support/s3-server.js";
import { forwardTo, startSigV4VerifyingProxy, type VerifyingProxy } from "../support/sigv4-verifying-proxy.js";

const logger = createWinstonLogger({ level: "silent", json: true });
const BUCKET = "reelbase-put-file";
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let sandbox: string;
let local: LocalStorageHarness;
let s3rver: S3rver;
let s3Endpoint: string;
let proxy: VerifyingProxy;
const s3Storages: S3Storage[] = [];

function s3Storage(overrides: Partial<S3StorageOptions> = {}): S3Storage {
  const storage = new S3Storage({
    bucket: BUCKET,
    endpoint: s3Endpoint,
    // Downloads go through the proxy that checks SigV4 as S3 does; s3rver alone accepts any signature.
    publicEndpoint: proxy.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    maxUploadBytes: 1024 ** 3,
    logger,
    resilience: FAST_POLICY,
    ...overrides,
  });
  s3Storages.push(storage);
  return storage;
}

async function sourceFile(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(sandbox, "sources", name);
  await writeFile(file, bytes);
  return file;
}

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-put-file-"));
  await mkdir(path.join(sandbox, "sources"));
  local = await startLocalStorageServer();
  ({ server: s3rver, url: s3Endpoint } = await startS3rver(path.join(sandbox, "s3rver"), BUCKET));
  proxy = await startSigV4VerifyingProxy({ target: s3Endpoint, credentials: S3RVER_CREDENTIALS });
});

afterAll(async () => {
  for (const storage of s3Storages) storage.close();
  await proxy?.close();
  await s3rver?.close();
  await local?.close();
  await rm(sandbox, { recursive: true, force: true });
});

describe.each([
  { adapter: "local disk", storage: (): ObjectStorage => local.storage },
  { adapter: "S3 (s3rver)", storage: (): ObjectStorage => s3Storage() },
])("putFile on $adapter", ({ adapter, storage: make }) => {
  const prefix = `videos/${adapter.startsWith("S3") ? "s3" : "local"}`;

  it("stores a multi-MiB file; head, sha256 and a presigned download agree with the source", async () => {
    const storage = make();
    // 12 MiB: more than one 8 MiB part, so S3 goes through a real multipart upload.
    const bytes = randomBytes(12 * 1024 * 1024);
    const key = `${prefix}/renditions/job1-P720.mp4`;
    const stored = await storage.putFile(key, await sourceFile("big.mp4", bytes), { contentType: "video/mp4" });

    expect(stored).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    expect(await storage.head(key)).toEqual({
      sizeBytes: bytes.length,
      contentType: "video/mp4",
      sha256: trustedDigest(storage, bytes),
    });
    expect(await storage.sha256(key)).toBe(sha256(bytes));
    const download = await fetch((await storage.createDownloadUrl(key, { expiresInSeconds: 60 })).url);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("replaces the object under the key, type and digest included", async () => {
    const storage = make();
    const key = `${prefix}/thumbnail.jpg`;
    await storage.putFile(key, await sourceFile("first.bin", randomBytes(200_000)), { contentType: "application/octet-stream" });
    const bytes = randomBytes(50_000);
    const stored = await storage.putFile(key, await sourceFile("second.jpg", bytes), { contentType: "image/jpeg" });

    expect(stored).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    expect(await storage.head(key)).toEqual({
      sizeBytes: bytes.length,
      contentType: "image/jpeg",
      sha256: trustedDigest(storage, bytes),
    });
    const download = await fetch((await storage.createDownloadUrl(key, { expiresInSeconds: 60 })).url);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("stores an empty file", async () => {
    const storage = make();
    const key = `${prefix}/empty`;
    const stored = await storage.putFile(key, await sourceFile("empty", Buffer.alloc(0)), { contentType: "video/mp4" });
    expect(stored).toEqual({ sizeBytes: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await storage.head(key)).toMatchObject({ sizeBytes: 0, sha256: trustedDigest(storage, Buffer.alloc(0)) });
  });

  it("fails with LocalFileNotFoundError for a missing source or a folder, naming no path, and stores nothing", async () => {
    const storage = make();
    const key = `${prefix}/never-stored.mp4`;
    for (const missing of [path.join(sandbox, "sources", "no-such-file.mp4"), path.join(sandbox, "sources")]) {
      const error = await storage.putFile(key, missing, { contentType: "video/mp4" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LocalFileNotFoundError);
      expect((error as Error).message).not.toContain(sandbox);
    }
    expect(await storage.head(key)).toBeNull();
  });

  it("refuses an invalid key or content type before reading the file", async () => {
    const storage = make();
    const file = await sourceFile("valid.mp4", randomBytes(10));
    await expect(storage.putFile("../escape", file, { contentType: "video/mp4" })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(storage.putFile(`${prefix}/x`, file, { contentType: "video/mp4\r\nX-Evil: 1" })).rejects.toThrow(
      "Invalid content type",
    );
  });
});

describe("putFile on local disk", () => {
  it("leaves no temp files behind, after a success or a failure", async () => {
    await local.storage.putFile("videos/tidy/a", await sourceFile("tidy", randomBytes(1000)), { contentType: "video/mp4" });
    await local.storage
      .putFile("videos/tidy/a/b", await sourceFile("tidy2", randomBytes(10)), { contentType: "video/mp4" })
      .catch(() => {});
    expect(await local.tempFiles()).toEqual([]);
  });
});

describe("putFile on S3, when the server fails", () => {
  /**
   * Forwards to s3rver, but answers the first `failures` PUT requests with 503 before reading their
   * bodies, and answers AbortMultipartUpload itself (s3rver does not implement it: 405).
   */
  async function flakyProxy(failures: number) {
    let failed = 0;
    let aborted = 0;
    const server = http.createServer((req, res) => {
      if (req.method === "DELETE" && /[?&]uploadId=/.test(req.url ?? "")) {
        aborted += 1;
        res.writeHead(204).end();
        return;
      }
      if (req.method === "PUT" && failed < failures) {
        failed += 1;
        res.writeHead(503, { "Content-Type": "application/xml", Connection: "close" });
        res.end("<Error><Code>ServiceUnavailable</Code></Error>");
        return;
      }
      forwardTo(new URL(s3Endpoint), req, res);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      failed: () => failed,
      aborted: () => aborted,
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    };
  }

  it("retries a transient failure from the first byte of the file", async () => {
    const flaky = await flakyProxy(1);
    const storage = s3Storage({ endpoint: flaky.url });
    const bytes = randomBytes(9 * 1024 * 1024);
    const key = "videos/s3-retried/renditions/job2-P480.mp4";
    const stored = await storage.putFile(key, await sourceFile("retried.mp4", bytes), { contentType: "video/mp4" });

    expect(flaky.failed()).toBe(1);
    expect(stored).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    const download = await fetch((await storage.createDownloadUrl(key, { expiresInSeconds: 60 })).url);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    // The failed attempt's multipart upload was aborted, not left for the bucket to bill.
    expect(flaky.aborted()).toBe(1);
    flaky.close();
  });

  it("gives up on a server that never answers, within the per-request idle timeout, as STORAGE_FAILED", async () => {
    const silent = http.createServer((req) => req.resume());
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const storage = s3Storage({
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      resilience: { ...FAST_POLICY, timeoutMs: 200 },
    });
    const started = Date.now();
    await expect(
      storage.putFile("videos/s3-silent/thumbnail.jpg", await sourceFile("silent.jpg", randomBytes(1000)), {
        contentType: "image/jpeg",
      }),
    ).rejects.toMatchObject({ code: "STORAGE_FAILED", kind: "UPSTREAM_FAILED" });
    expect(Date.now() - started).toBeLessThan(3_000);
    silent.closeAllConnections();
    silent.close();
  });
});

/** Local disk vouches for the digest it computed itself; S3's head reports none (object metadata is client-settable). */
function trustedDigest(storage: ObjectStorage, bytes: Buffer): string | null {
  return storage.kind === "local" ? sha256(bytes) : null;
}
