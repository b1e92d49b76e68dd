import { createHash } from "node:crypto";
import { mkdtemp, open, readdir, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient } from "../../client/src/index.js";
import { HOUSEKEEPING_TASK, type HousekeepingTask } from "../../server/src/shared/application/housekeeping.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { startS3MultipartShim } from "../support/s3-multipart-shim.js";
import { S3RVER_CREDENTIALS, startS3rver } from "../support/s3-server.js";
import { startSigV4VerifyingProxy } from "../support/sigv4-verifying-proxy.js";
import { backends, type Backend } from "../support/test-app.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

const MiB = 1024 ** 2;
/** A browser page on another origin that the deployment allows. */
const CONSOLE = "http://127.0.0.1:5173";

interface Storage {
  name: string;
  start(sandbox: string, database: Backend): Promise<{ api: HttpTestApi; stop: () => Promise<void> }>;
}

const storages: Storage[] = [
  {
    name: "local disk",
    start: async (sandbox, database) => {
      const api = await startHttpApi(database, { LOCAL_STORAGE_DIR: path.join(sandbox, "objects"), CORS_ORIGINS: CONSOLE });
      return { api, stop: () => api.close() };
    },
  },
  {
    name: "S3 (s3rver)",
    start: async (sandbox, database) => {
      const directory = path.join(sandbox, "s3");
      const s3: { server: S3rver; url: string } = await startS3rver(directory, "reelbase-multipart");
      // s3rver lacks ListParts, AbortMultipartUpload, ETag and expiry checks: the shim adds them;
      // the proxy checks signatures, as real S3 would.
      const shim = await startS3MultipartShim({ target: s3.url, directory, bucket: "reelbase-multipart" });
      const proxy = await startSigV4VerifyingProxy({ target: shim.url, credentials: S3RVER_CREDENTIALS });
      const api = await startHttpApi(database, {
        S3_BUCKET: "reelbase-multipart",
        S3_ENDPOINT: shim.url,
        S3_PUBLIC_ENDPOINT: proxy.url,
        S3_FORCE_PATH_STYLE: "true",
        S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      });
      return {
        api,
        stop: async () => {
          await api.close();
          await proxy.close();
          await shim.close();
          await s3.server.close();
        },
      };
    },
  },
];

const cases = backends().flatMap((database) =>
  storages.map((storage) => ({ database, storage, label: `${storage.name} on ${database}` })),
);

/** A real video followed by a `free` box: a valid MP4 of 8 MiB × 2 and a bit, so three parts of 8 MiB. */
async function makeLargeVideo(dir: string): Promise<Uint8Array> {
  const video = await readFile(await makeTestVideo(dir, { seconds: 2, width: 320, height: 180 }));
  const total = 17 * MiB + 12_345;
  const padding = Buffer.alloc(total - video.byteLength);
  padding.writeUInt32BE(padding.byteLength, 0);
  padding.write("free", 4, "ascii");
  return Buffer.concat([video, padding]);
}

function errorOf(error: unknown): { code?: string; httpStatus?: number } {
  const data = (error as { data?: { errorCode?: string; httpStatus?: number } }).data;
  return { ...(data?.errorCode ? { code: data.errorCode } : {}), ...(data?.httpStatus ? { httpStatus: data.httpStatus } : {}) };
}

describe.each(cases)("resumable multipart uploads over real HTTP, $label", ({ database, storage }) => {
  let sandbox: string;
  let api: HttpTestApi;
  let stop: () => Promise<void>;
  let alice: ReelbaseClient;
  let bob: ReelbaseClient;
  let file: Uint8Array;

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-multipart-"));
    ({ api, stop } = await storage.start(sandbox, database));
    const login = async (name: string) => {
      const store = createTokenStore();
      const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
      store.set(await client.auth.register.mutate({ email: uniqueEmail(name), password: PASSWORD }));
      return client;
    };
    [alice, bob] = await Promise.all([login("alice"), login("bob")]);
    file = await makeLargeVideo(sandbox);
  });
  afterAll(async () => {
    await stop();
    await rm(sandbox, { recursive: true, force: true });
  });

  const slice = (partSize: number, partNumber: number) =>
    file.subarray((partNumber - 1) * partSize, Math.min(file.byteLength, partNumber * partSize));

  async function put(part: { url: string; headers: Record<string, string> }, body: Uint8Array): Promise<Response> {
    return fetch(part.url, { method: "PUT", headers: part.headers, body });
  }

  async function start(title: string) {
    const video = await alice.videos.create.mutate({ title });
    const upload = await alice.uploads.create.mutate({
      videoId: video.id,
      filename: "big.mp4",
      contentType: "video/mp4",
      sizeBytes: file.byteLength,
    });
    return { video, upload };
  }

  /** Sends the first half of a part and then just stops, as a dropped connection does. */
  function sendHalfAndDrop(url: string, body: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      const request = http.request(url, { method: "PUT", headers: { "content-length": String(body.byteLength) } });
      request.on("error", () => resolve());
      request.on("response", () => resolve());
      request.write(body.subarray(0, body.byteLength >> 1), () => {
        request.destroy();
        resolve();
      });
    });
  }

  it("resumes after a dropped connection: listParts, only the missing parts, complete; the video is UPLOADED and probed", async () => {
    const { video, upload } = await start("Resumed");
    expect(upload).toMatchObject({ partSize: 8 * MiB, partCount: 3 });
    expect((await alice.videos.get.query({ id: video.id })).status).toBe("UPLOADING");
    const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1, 2, 3] });
    expect(parts.map((part) => part.method)).toEqual(["PUT", "PUT", "PUT"]);
    if (storage.name === "local disk") {
      // A browser on an allowed origin must be able to read the ETag it will name in complete.
      const fromPage = await fetch(parts[0]!.url, {
        method: "PUT",
        headers: { ...parts[0]!.headers, origin: CONSOLE },
        body: slice(upload.partSize, 1),
      });
      expect(fromPage.headers.get("access-control-allow-origin")).toBe(CONSOLE);
      expect(
        fromPage.headers
          .get("access-control-expose-headers")
          ?.split(",")
          .map((name) => name.trim()),
      ).toContain("ETag");
    }
    const first = await put(parts[0]!, slice(upload.partSize, 1));
    expect(first.status).toBe(200);
    expect(first.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    await sendHalfAndDrop(parts[1]!.url, slice(upload.partSize, 2));

    const listed = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    expect(listed.parts.map((part) => [part.partNumber, part.sizeBytes])).toEqual([[1, 8 * MiB]]);
    expect(listed.parts[0]!.etag).toBe(first.headers.get("etag"));

    const early = await alice.uploads.complete
      .mutate({ uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: listed.parts[0]!.etag }] })
      .catch(errorOf);
    expect(early).toMatchObject({ code: "UPLOAD_PART_MISMATCH", httpStatus: 422 });

    const missing = [1, 2, 3].filter((n) => !listed.parts.some((part) => part.partNumber === n));
    const again = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: missing });
    for (const part of again.parts) expect((await put(part, slice(upload.partSize, part.partNumber))).status).toBe(200);
    const all = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    expect(all.parts.map((part) => part.sizeBytes)).toEqual([8 * MiB, 8 * MiB, file.byteLength - 16 * MiB]);

    // ETags are accepted with or without their quotes.
    const done = await alice.uploads.complete.mutate({
      uploadId: upload.uploadId,
      parts: all.parts.map((part, index) => ({
        partNumber: part.partNumber,
        etag: index === 0 ? part.etag.replace(/"/g, "") : part.etag,
      })),
    });
    expect(done).toMatchObject({ status: "UPLOADED", width: 320, height: 180, source: { sizeBytes: file.byteLength } });
    expect(done.durationSeconds).toBeGreaterThan(1.8);
    const { url } = await alice.videos.downloadUrl.query({ id: video.id, kind: "source" });
    const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(downloaded.byteLength).toBe(file.byteLength);
    expect(Buffer.compare(Buffer.from(downloaded), Buffer.from(file))).toBe(0);
    const after = await alice.uploads.listParts.query({ uploadId: upload.uploadId }).catch(errorOf);
    expect(after).toMatchObject({ code: "UPLOAD_SESSION_NOT_ACTIVE", httpStatus: 409 });
  });

  it("refuses a wrong ETag, an oversized part, a tampered or expired URL and another user's upload, then aborts", async () => {
    const { video, upload } = await start("Refusals");
    const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1, 3] });
    const oversized = await put(parts[0]!, file.subarray(0, upload.partSize + 1));
    expect(oversized.status).toBeGreaterThanOrEqual(400);
    expect(oversized.status).toBeLessThan(500);
    const tampered = new URL(parts[0]!.url);
    for (const name of ["signature", "X-Amz-Signature"]) {
      const value = tampered.searchParams.get(name);
      if (value) tampered.searchParams.set(name, `${value.slice(0, -2)}${value.endsWith("AA") ? "BB" : "AA"}`);
    }
    expect((await put({ url: tampered.toString(), headers: parts[0]!.headers }, slice(upload.partSize, 1))).status).toBe(403);
    if (storage.name === "local disk") {
      const refused = await put({ url: tampered.toString(), headers: parts[0]!.headers }, slice(upload.partSize, 1));
      expect(await refused.json()).toMatchObject({ error: { errorCode: "FILE_URL_INVALID" } });
    }

    // Signed two hours ago with the default one-hour lifetime.
    api.clock.advance(-2 * 3600_000);
    const expired = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1] }).finally(() => {
      api.clock.advance(2 * 3600_000);
    });
    expect((await put(expired.parts[0]!, slice(upload.partSize, 1))).status).toBe(403);

    for (const part of parts) expect((await put(part, slice(upload.partSize, part.partNumber))).status).toBe(200);
    const listed = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    expect(listed.parts.map((part) => part.partNumber)).toEqual([1, 3]);

    for (const call of [
      () => bob.uploads.listParts.query({ uploadId: upload.uploadId }),
      () => bob.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [2] }),
      () => bob.uploads.abort.mutate({ uploadId: upload.uploadId }),
      () => bob.uploads.create.mutate({ videoId: video.id, filename: "x.mp4", contentType: "video/mp4", sizeBytes: 10 }),
    ]) {
      expect((await call().catch(errorOf)) as unknown).toMatchObject({ httpStatus: 404 });
    }
    const outOfRange = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [4] }).catch(errorOf);
    expect(outOfRange).toMatchObject({ httpStatus: 400 });

    const { parts: two } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [2] });
    expect((await put(two[0]!, slice(upload.partSize, 2))).status).toBe(200);
    const all = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    const wrong = await alice.uploads.complete
      .mutate({
        uploadId: upload.uploadId,
        parts: all.parts.map((part) => ({
          partNumber: part.partNumber,
          etag: part.partNumber === 2 ? `"${"0".repeat(32)}"` : part.etag,
        })),
      })
      .catch(errorOf);
    expect(wrong).toMatchObject({ code: "UPLOAD_PART_MISMATCH", httpStatus: 422 });
    // Nothing was lost: the parts are all still there.
    expect((await alice.uploads.listParts.query({ uploadId: upload.uploadId })).parts).toHaveLength(3);

    await expect(alice.uploads.abort.mutate({ uploadId: upload.uploadId })).resolves.toEqual({ ok: true });
    expect((await alice.videos.get.query({ id: video.id })).status).toBe("DRAFT");
    expect(await alice.uploads.listParts.query({ uploadId: upload.uploadId }).catch(errorOf)).toMatchObject({
      code: "UPLOAD_SESSION_NOT_ACTIVE",
      httpStatus: 409,
    });
  });

  it.runIf(storage.name === "local disk")(
    "refuses to complete with a part changed on disk after its PUT, naming it; re-sent, the object is the exact bytes",
    async () => {
      const { video, upload } = await start("Changed part");
      const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1, 2, 3] });
      for (const part of parts) expect((await put(part, slice(upload.partSize, part.partNumber))).status).toBe(200);
      const listed = await alice.uploads.listParts.query({ uploadId: upload.uploadId });

      // Part 2's file, `<partNumber>.<etag>.<crc32>` in its upload's folder: one byte changed, the size kept,
      // as a part acknowledged before a power cut may come back.
      const etag2 = listed.parts[1]!.etag.replace(/"/g, "");
      const multipart = path.join(sandbox, "objects", ".multipart");
      const found: string[] = [];
      for (const folder of await readdir(multipart)) {
        for (const name of await readdir(path.join(multipart, folder))) {
          if (name.startsWith(`2.${etag2}.`)) found.push(path.join(multipart, folder, name));
        }
      }
      expect(found).toHaveLength(1);
      const handle = await open(found[0]!, "r+");
      try {
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, 12_345);
        byte[0] = (byte[0] ?? 0) ^ 0x5a;
        await handle.write(byte, 0, 1, 12_345);
      } finally {
        await handle.close();
      }
      const sameSizes = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
      expect(sameSizes.parts).toEqual(listed.parts);

      const named = listed.parts.map(({ partNumber, etag }) => ({ partNumber, etag }));
      const refused = await alice.uploads.complete.mutate({ uploadId: upload.uploadId, parts: named }).catch((error: unknown) => {
        const data = (error as { data?: { errorCode?: string; httpStatus?: number; details?: unknown } }).data;
        return { code: data?.errorCode, httpStatus: data?.httpStatus, details: data?.details, message: (error as Error).message };
      });
      expect(refused).toMatchObject({ code: "UPLOAD_PART_MISMATCH", httpStatus: 422, details: { changedParts: [2] } });
      expect((refused as { message?: string }).message).toMatch(/send again: 2$/);
      expect((await alice.videos.get.query({ id: video.id })).status).toBe("UPLOADING");
      expect((await alice.uploads.listParts.query({ uploadId: upload.uploadId })).parts).toHaveLength(3);

      const again = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [2] });
      const resent = await put(again.parts[0]!, slice(upload.partSize, 2));
      expect(resent.status).toBe(200);
      expect(resent.headers.get("etag")).not.toBe(listed.parts[1]!.etag);
      const all = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
      const done = await alice.uploads.complete.mutate({
        uploadId: upload.uploadId,
        parts: all.parts.map(({ partNumber, etag }) => ({ partNumber, etag })),
      });
      expect(done).toMatchObject({ status: "UPLOADED", source: { sizeBytes: file.byteLength } });
      const { url } = await alice.videos.downloadUrl.query({ id: video.id, kind: "source" });
      const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
      const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
      expect(sha256(downloaded)).toBe(sha256(file));
    },
  );

  it("of two concurrent completes exactly one wins; the video is UPLOADED once", async () => {
    const { video, upload } = await start("Race");
    const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1, 2, 3] });
    for (const part of parts) expect((await put(part, slice(upload.partSize, part.partNumber))).status).toBe(200);
    const listed = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    const input = { uploadId: upload.uploadId, parts: listed.parts.map(({ partNumber, etag }) => ({ partNumber, etag })) };
    const results = await Promise.allSettled([alice.uploads.complete.mutate(input), alice.uploads.complete.mutate(input)]);
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(errorOf(lost[0]!.reason)).toMatchObject({ code: "UPLOAD_SESSION_NOT_ACTIVE", httpStatus: 409 });
    const current = await alice.videos.get.query({ id: video.id });
    expect(current).toMatchObject({ status: "UPLOADED", source: { sizeBytes: file.byteLength } });
  });

  it("housekeeping aborts a session left ACTIVE past its expiry", async () => {
    const { video, upload } = await start("Abandoned");
    const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1] });
    expect((await put(parts[0]!, slice(upload.partSize, 1))).status).toBe(200);
    const task = api.container.getAll<HousekeepingTask>(HOUSEKEEPING_TASK).find((t) => t.name === "expired-upload-sessions");
    expect(await task!.run()).toEqual({ aborted: 0 });
    api.clock.advance(25 * 3600_000);
    try {
      expect(await task!.run()).toEqual({ aborted: 1 });
    } finally {
      api.clock.advance(-25 * 3600_000);
    }
    expect((await alice.videos.get.query({ id: video.id })).status).toBe("DRAFT");
    expect(await alice.uploads.listParts.query({ uploadId: upload.uploadId }).catch(errorOf)).toMatchObject({ httpStatus: 409 });
  });

  it("a newer upload of the same video (one PUT) aborts the session, which can then never complete", async () => {
    const { video, upload } = await start("Superseded");
    const { parts } = await alice.uploads.signParts.mutate({ uploadId: upload.uploadId, partNumbers: [1, 2, 3] });
    for (const part of parts) expect((await put(part, slice(upload.partSize, part.partNumber))).status).toBe(200);
    const listed = await alice.uploads.listParts.query({ uploadId: upload.uploadId });
    const small = await readFile(await makeTestVideo(sandbox, { seconds: 1, width: 160, height: 90 }));
    const single = await alice.videos.createUpload.mutate({
      id: video.id,
      filename: "small.mp4",
      contentType: "video/mp4",
      sizeBytes: small.byteLength,
    });
    const complete = await alice.uploads.complete
      .mutate({ uploadId: upload.uploadId, parts: listed.parts.map(({ partNumber, etag }) => ({ partNumber, etag })) })
      .catch(errorOf);
    expect(complete).toMatchObject({ code: "UPLOAD_SESSION_NOT_ACTIVE", httpStatus: 409 });
    expect((await fetch(single.uploadUrl, { method: "PUT", headers: single.headers, body: small })).status).toBeLessThan(300);
    const done = await alice.videos.completeUpload.mutate({ id: video.id });
    expect(done).toMatchObject({ status: "UPLOADED", width: 160, source: { sizeBytes: small.byteLength } });
  });
});
