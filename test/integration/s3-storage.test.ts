import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config/config.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { createObjectStorage } from "../../server/src/storage/create-object-storage.js";
import { S3Storage, type S3StorageOptions } from "../../server/src/storage/s3.storage.js";
import type { ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { PublicUrl } from "../../server/src/shared/application/public-url.js";
import type { PlatformAdapter } from "../../server/src/shared/platform-adapter.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { S3RVER_CREDENTIALS as CREDENTIALS, startS3rver as startS3rverOn, FAST_POLICY } from "../support/s3-server.js";
import { startSigV4VerifyingProxy, type VerifyingProxy } from "../support/sigv4-verifying-proxy.js";

const logger = createWinstonLogger({ level: "silent", json: true });
// s3rver knows one account; the bucket name is distinctive so a leak into an error message would show.
const BUCKET = "reelbase-secret-bucket-name";

let sandbox: string;
let s3rver: S3rver;
let endpoint: string;
let proxy: VerifyingProxy;
let binding: PlatformAdapter<ObjectStorage>;
let storage: S3Storage;
const extraStorages: S3Storage[] = [];

const startS3rver = (directory: string, port = 0) => startS3rverOn(directory, BUCKET, port);

function s3Options(overrides: Partial<S3StorageOptions>): S3StorageOptions {
  return {
    bucket: BUCKET,
    endpoint,
    publicEndpoint: undefined,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: CREDENTIALS,
    maxUploadBytes: 1024 ** 3,
    logger,
    resilience: FAST_POLICY,
    ...overrides,
  };
}

function extraStorage(overrides: Partial<S3StorageOptions>): S3Storage {
  const created = new S3Storage(s3Options(overrides));
  extraStorages.push(created);
  return created;
}

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-s3-storage-"));
  ({ server: s3rver, url: endpoint } = await startS3rver(path.join(sandbox, "s3rver")));
  proxy = await startSigV4VerifyingProxy({ target: endpoint, credentials: CREDENTIALS });
  const config = loadConfig({
    NODE_ENV: "test",
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_PUBLIC_ENDPOINT: proxy.url,
    S3_FORCE_PATH_STYLE: "true",
    S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  binding = await createObjectStorage(config, new PublicUrl(undefined), logger, { resilience: FAST_POLICY });
  expect(binding.routes).toBeNull();
  expect(binding.describe).toBe(`S3 bucket ${BUCKET} at ${endpoint}`);
  if (!(binding.value instanceof S3Storage)) throw new Error("expected the S3 adapter");
  storage = binding.value;
});

afterAll(async () => {
  await binding?.close();
  for (const extra of extraStorages) extra.close();
  await proxy?.close();
  await s3rver?.close();
  await rm(sandbox, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("S3 storage against a real S3-protocol server (s3rver)", () => {
  it("uploads with a plain fetch PUT to the presigned URL; head, sha256 and presigned GET agree", async () => {
    const bytes = randomBytes(256 * 1024);
    const target = await storage.createUploadUrl("videos/s3-round-trip/source", {
      contentType: "video/mp4",
      sizeBytes: bytes.length,
      expiresInSeconds: 600,
    });
    const url = new URL(target.url);
    // Signed for the host clients reach, binding type and length, with no checksum of an empty body baked in.
    expect(url.origin).toBe(proxy.url);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(target.headers).toEqual({ "Content-Type": "video/mp4" });

    const put = await fetch(target.url, { method: target.method, headers: target.headers, body: bytes });
    expect(put.status).toBe(200);

    expect(await storage.head("videos/s3-round-trip/source")).toEqual({
      sizeBytes: bytes.length,
      contentType: "video/mp4",
      sha256: null,
    });
    expect(await storage.sha256("videos/s3-round-trip/source")).toBe(sha256(bytes));

    const download = await storage.createDownloadUrl("videos/s3-round-trip/source", {
      expiresInSeconds: 60,
      filename: "clip é.mp4",
    });
    expect(new URL(download.url).origin).toBe(proxy.url);
    const got = await fetch(download.url);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-disposition")).toBe(`attachment; filename="clip _.mp4"; filename*=UTF-8''clip%20%C3%A9.mp4`);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);

    // ffprobe's URL names the endpoint this process reaches and supports seeking.
    const location = await storage.readableLocation("videos/s3-round-trip/source", 60);
    expect(new URL(location).origin).toBe(endpoint);
    const ranged = await fetch(location, { headers: { Range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
  });

  it("refuses a PUT of another Content-Length or Content-Type with 403: both are inside the signature", async () => {
    const key = "videos/s3-bound/source";
    const bytes = randomBytes(1000);
    const target = await storage.createUploadUrl(key, { contentType: "video/mp4", sizeBytes: 1000, expiresInSeconds: 600 });
    const attempts: Array<[string, RequestInit]> = [
      ["larger body", { headers: target.headers, body: randomBytes(1001) }],
      ["smaller body", { headers: target.headers, body: randomBytes(999) }],
      ["other content type", { headers: { "Content-Type": "text/html" }, body: bytes }],
      ["no content type", { headers: {}, body: new Blob([bytes]) }],
    ];
    for (const [label, init] of attempts) {
      const response = await fetch(target.url, { method: "PUT", ...init });
      expect(response.status, label).toBe(403);
      await response.arrayBuffer();
    }
    expect(await storage.head(key)).toBeNull();
    // The same URL with exactly the signed type and length still works.
    const put = await fetch(target.url, { method: "PUT", headers: target.headers, body: bytes });
    expect(put.status).toBe(200);
    expect(await storage.head(key)).toMatchObject({ sizeBytes: 1000, contentType: "video/mp4" });
  });

  it("lets s3rver refuse an expired presigned URL (the one check s3rver makes itself)", async () => {
    const signedLongAgo = extraStorage({ clock: { now: () => new Date(Date.now() - 3_600_000) } });
    const target = await signedLongAgo.createUploadUrl("videos/s3-expired/source", {
      contentType: "video/mp4",
      sizeBytes: 4,
      expiresInSeconds: 60,
    });
    const direct = target.url.replace(new URL(target.url).origin, endpoint);
    const response = await fetch(direct, { method: "PUT", headers: target.headers, body: Buffer.from("late") });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("Request has expired");
    expect(await storage.head("videos/s3-expired/source")).toBeNull();
  });

  it("answers null for a missing key, deletes idempotently, and names a missing object in sha256", async () => {
    expect(await storage.head("videos/nowhere/source")).toBeNull();
    await expect(storage.sha256("videos/nowhere/source")).rejects.toMatchObject({
      code: "STORAGE_OBJECT_NOT_FOUND",
      kind: "NOT_FOUND",
    });

    const bytes = randomBytes(10);
    const target = await storage.createUploadUrl("videos/s3-doomed/source", {
      contentType: "video/mp4",
      sizeBytes: 10,
      expiresInSeconds: 60,
    });
    expect((await fetch(target.url, { method: "PUT", headers: target.headers, body: bytes })).status).toBe(200);
    await storage.delete("videos/s3-doomed/source");
    expect(await storage.head("videos/s3-doomed/source")).toBeNull();
    await expect(storage.delete("videos/s3-doomed/source")).resolves.toBeUndefined();
  });

  it("pings the bucket, and fails without naming it when the bucket is missing", async () => {
    await expect(storage.ping()).resolves.toBeUndefined();
    const error = await extraStorage({ bucket: "no-such-bucket-here" })
      .ping()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "STORAGE_FAILED", kind: "UPSTREAM_FAILED" });
    expect(JSON.stringify({ message: (error as Error).message, details: (error as DomainError).details })).not.toContain(
      "no-such-bucket",
    );
  });
});

describe("S3 storage resilience", () => {
  /** A fake S3 that answers HEAD with whatever status the test scripts, counting requests. */
  async function scriptedServer(statuses: Array<number | "hang">) {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      const status = statuses[Math.min(requests, statuses.length - 1)];
      requests += 1;
      if (status === "hang") return;
      res.writeHead(
        status ?? 500,
        status === 200 ? { "Content-Length": "42", "Content-Type": "video/mp4" } : { "Content-Length": "0" },
      );
      res.end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requests: () => requests,
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    };
  }

  it("retries 5xx and throttling, then succeeds", async () => {
    const fake = await scriptedServer([503, 500, 200]);
    const flaky = extraStorage({ endpoint: fake.url, resilience: { ...FAST_POLICY, maxRetries: 2 } });
    expect(await flaky.head("videos/x/source")).toEqual({ sizeBytes: 42, contentType: "video/mp4", sha256: null });
    expect(fake.requests()).toBe(3);
    fake.close();
  });

  it("never retries a 4xx: 404 is an answer (null), 403 fails at once", async () => {
    const missing = await scriptedServer([404]);
    expect(await extraStorage({ endpoint: missing.url }).head("videos/x/source")).toBeNull();
    expect(missing.requests()).toBe(1);
    missing.close();

    const denied = await scriptedServer([403]);
    await expect(extraStorage({ endpoint: denied.url }).head("videos/x/source")).rejects.toMatchObject({
      code: "STORAGE_FAILED",
    });
    expect(denied.requests()).toBe(1);
    denied.close();
  });

  it("times out a call that never answers, per attempt", async () => {
    const silent = await scriptedServer(["hang"]);
    const started = Date.now();
    const slow = extraStorage({ endpoint: silent.url, resilience: { ...FAST_POLICY, timeoutMs: 150, maxRetries: 1 } });
    await expect(slow.head("videos/x/source")).rejects.toMatchObject({ code: "STORAGE_FAILED", kind: "UPSTREAM_FAILED" });
    expect(silent.requests()).toBe(2);
    expect(Date.now() - started).toBeLessThan(2_000);
    silent.close();
  });

  it("opens the circuit once the server is stopped, fails fast without leaking details, and closes it when the server is back", async () => {
    const directory = path.join(sandbox, "s3rver-breaker");
    const first = await startS3rver(directory);
    const port = Number(new URL(first.url).port);
    const guarded = extraStorage({
      endpoint: first.url,
      resilience: { ...FAST_POLICY, maxRetries: 0, breakerThreshold: 2, halfOpenAfterMs: 300 },
    });
    expect(await guarded.head("videos/x/source")).toBeNull();
    await first.server.close();

    const failures: unknown[] = [];
    for (let attempt = 0; attempt < 2; attempt += 1)
      failures.push(await guarded.head("videos/x/source").catch((error: unknown) => error));
    for (const failure of failures) expect(failure).toMatchObject({ code: "STORAGE_FAILED", kind: "UPSTREAM_FAILED" });

    const started = Date.now();
    const open = await guarded.head("videos/x/source").catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(50);
    expect(open).toBeInstanceOf(DomainError);
    expect(open).toMatchObject({ code: "STORAGE_UNAVAILABLE", kind: "UNAVAILABLE" });
    for (const error of [...failures, open]) {
      const visible = JSON.stringify({ message: (error as Error).message, details: (error as DomainError).details });
      for (const secret of [BUCKET, CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, String(port), "127.0.0.1"]) {
        expect(visible).not.toContain(secret);
      }
    }

    const second = await startS3rver(directory, port);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await guarded.head("videos/x/source")).toBeNull();
    await expect(guarded.ping()).resolves.toBeUndefined();
    await second.server.close();
  });
});
