import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReelbaseClient,
  createTokenStore,
  ErrorCodes,
  isReelbaseError,
  type ReelbaseClient,
} from "../../client/src/index.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { makeNotAVideo, makeTestVideo } from "../support/media-fixtures.js";
import { S3RVER_CREDENTIALS, startS3rver } from "../support/s3-server.js";
import { startSigV4VerifyingProxy } from "../support/sigv4-verifying-proxy.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

interface Backend {
  name: string;
  start(sandbox: string): Promise<{ api: HttpTestApi; stop: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "local disk",
    start: async (sandbox) => {
      const api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: path.join(sandbox, "objects") });
      return { api, stop: () => api.close() };
    },
  },
  {
    name: "S3 (s3rver)",
    start: async (sandbox) => {
      const s3: { server: S3rver; url: string } = await startS3rver(path.join(sandbox, "s3"), "reelbase-e2e");
      // s3rver does not check signatures; clients reach it through a proxy that does, as real S3 would.
      const proxy = await startSigV4VerifyingProxy({ target: s3.url, credentials: S3RVER_CREDENTIALS });
      const api = await startHttpApi("pglite", {
        S3_BUCKET: "reelbase-e2e",
        S3_ENDPOINT: s3.url,
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
          await s3.server.close();
        },
      };
    },
  },
];

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe.each(backends)("the upload flow over real HTTP on $name", (backend) => {
  let sandbox: string;
  let api: HttpTestApi;
  let stop: () => Promise<void>;
  let client: ReelbaseClient;
  let video: Uint8Array;

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-upload-"));
    ({ api, stop } = await backend.start(sandbox));
    const store = createTokenStore();
    client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
    store.set(await client.auth.register.mutate({ email: uniqueEmail("uploader"), password: PASSWORD }));
    video = await readFile(await makeTestVideo(sandbox, { seconds: 2, width: 320, height: 180 }));
  });
  afterAll(async () => {
    await stop();
    await rm(sandbox, { recursive: true, force: true });
  });

  /** Exactly what a browser does with the createUpload answer. */
  async function put(upload: { uploadUrl: string; headers: Record<string, string> }, body: Uint8Array): Promise<Response> {
    return fetch(upload.uploadUrl, { method: "PUT", headers: upload.headers, body });
  }

  it("uploads straight to storage, probes the file and serves it back", async () => {
    const created = await client.videos.create.mutate({ title: "Real upload" });
    const upload = await client.videos.createUpload.mutate({
      id: created.id,
      filename: "clip.mp4",
      contentType: "video/mp4",
      sizeBytes: video.byteLength,
    });
    expect((await put(upload, video)).status).toBe(200);
    const done = await client.videos.completeUpload.mutate({ id: created.id });
    expect(done).toMatchObject({ status: "UPLOADED", width: 320, height: 180, videoCodec: "h264", audioCodec: "aac" });
    expect(done.durationSeconds).toBeGreaterThan(1.8);
    expect(done.durationSeconds).toBeLessThan(2.3);

    const { url } = await client.videos.downloadUrl.query({ id: created.id, kind: "source" });
    const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(video));
    const rendition = await client.videos.downloadUrl
      .query({ id: created.id, kind: "rendition" })
      .catch((error: unknown) => error);
    expect(isReelbaseError(rendition, ErrorCodes.FILE_NOT_FOUND)).toBe(true);
    await expect(
      client.videos.createUpload.mutate({ id: created.id, filename: "again.mp4", contentType: "video/mp4", sizeBytes: 10 }),
    ).rejects.toMatchObject({
      data: { errorCode: "VIDEO_INVALID_STATE", httpStatus: 422 },
    });
  });

  it("sends a file that is not a video back to DRAFT, and a retry succeeds", async () => {
    const notAVideo = await readFile(await makeNotAVideo(sandbox));
    const { id } = await client.videos.create.mutate({ title: "Retry me" });
    const first = await client.videos.createUpload.mutate({
      id,
      filename: "fake.mp4",
      contentType: "video/mp4",
      sizeBytes: notAVideo.byteLength,
    });
    expect((await put(first, notAVideo)).status).toBe(200);
    const refused = await client.videos.completeUpload.mutate({ id }).catch((error: unknown) => error);
    expect(isReelbaseError(refused, ErrorCodes.UPLOAD_NOT_A_VIDEO)).toBe(true);
    expect((await client.videos.get.query({ id })).status).toBe("DRAFT");

    const second = await client.videos.createUpload.mutate({
      id,
      filename: "real.mp4",
      contentType: "video/mp4",
      sizeBytes: video.byteLength,
    });
    expect((await put(second, video)).status).toBe(200);
    await expect(client.videos.completeUpload.mutate({ id })).resolves.toMatchObject({ status: "UPLOADED" });
  });

  it("refuses to complete before the bytes arrive, and refuses a body that does not match the declaration", async () => {
    const { id } = await client.videos.create.mutate({ title: "Careful" });
    const upload = await client.videos.createUpload.mutate({
      id,
      filename: "clip.mp4",
      contentType: "video/mp4",
      sizeBytes: video.byteLength,
    });
    const early = await client.videos.completeUpload.mutate({ id }).catch((error: unknown) => error);
    expect(isReelbaseError(early, ErrorCodes.UPLOAD_OBJECT_MISSING)).toBe(true);
    // The URL is bound to the declared type: the store refuses anything else.
    const wrongType = await fetch(upload.uploadUrl, { method: "PUT", headers: { "Content-Type": "video/webm" }, body: video });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect((await client.videos.get.query({ id })).status).toBe("UPLOADING");
  });

  it("removes the stored objects when the video is deleted", async () => {
    const { id } = await client.videos.create.mutate({ title: "Short-lived" });
    const upload = await client.videos.createUpload.mutate({
      id,
      filename: "clip.mp4",
      contentType: "video/mp4",
      sizeBytes: video.byteLength,
    });
    await put(upload, video);
    await client.videos.completeUpload.mutate({ id });
    const storage = api.container.get<ObjectStorage>(OBJECT_STORAGE);
    const key = new URL(upload.uploadUrl).pathname.split("/").slice(-3).join("/");
    expect(await storage.head(key)).not.toBeNull();
    await client.videos.delete.mutate({ id });
    expect(await storage.head(key)).toBeNull();
    await expect(client.videos.get.query({ id })).rejects.toMatchObject({ data: { httpStatus: 404 } });
  });

  it("reports storage in /health/ready", async () => {
    const ready = (await (await fetch(`${api.url}/health/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toMatchObject({ database: "ok", storage: "ok" });
  });
});
