import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { fieldErrorsOf } from "../../server/src/trpc/error-mapping.js";
import { expectTrpcError } from "../support/errors.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerAdmin, registerUser } from "../support/users.js";

const MIB = 1024 ** 2;
/** Lower than the contract's 5 GiB, as a deployment may set it. */
const DEPLOYMENT_MAX_BYTES = 2 * 1024 ** 3;

describe.each(backends())("uploads.create validation on %s", (backend) => {
  let app: TestApp;
  let storageDir: string;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  const declared = (videoId: string, sizeBytes: number, contentType = "video/mp4") => ({
    videoId,
    filename: "clip.mp4",
    contentType,
    sizeBytes,
  });
  const draft = async () => (await app.caller(owner.bearer).videos.create({ title: "resumable" })).id;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), "reelbase-uploads-"));
    app = await createTestApp(backend, {
      PUBLIC_URL: "http://127.0.0.1:9",
      LOCAL_STORAGE_DIR: storageDir,
      MAX_UPLOAD_BYTES: String(DEPLOYMENT_MAX_BYTES),
    });
    owner = await registerUser(app, "uploader");
  });
  afterAll(async () => {
    await app.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it("sizes parts as max(8 MiB, ceil(size / 10 000)): one part for a small file, the remainder in the last", async () => {
    const caller = app.caller(owner.bearer);
    expect(await caller.uploads.create(declared(await draft(), 1))).toMatchObject({ partSize: 8 * MIB, partCount: 1 });
    expect(await caller.uploads.create(declared(await draft(), 8 * MIB))).toMatchObject({ partSize: 8 * MIB, partCount: 1 });
    expect(await caller.uploads.create(declared(await draft(), 8 * MIB + 1))).toMatchObject({ partSize: 8 * MIB, partCount: 2 });
    const largest = await caller.uploads.create(declared(await draft(), DEPLOYMENT_MAX_BYTES));
    expect(largest).toMatchObject({ partSize: 8 * MIB, partCount: 256 });
    // A session lasts a day from its creation.
    expect(Date.parse(largest.expiresAt) - app.clock.now().getTime()).toBeGreaterThan(23.9 * 3600 * 1000);
  });

  it("refuses sizes outside 1 byte .. the deployment's limit, and the contract's 5 GiB in the schema", async () => {
    const caller = app.caller(owner.bearer);
    const videoId = await draft();
    for (const sizeBytes of [0, -1, 1.5, 5 * 1024 ** 3 + 1]) {
      const error = await expectTrpcError(
        caller.uploads.create(declared(videoId, sizeBytes)),
        "BAD_REQUEST",
        "VALIDATION_FAILED",
      );
      expect(Object.keys(fieldErrorsOf(error) ?? {})).toEqual(["sizeBytes"]);
    }
    const overDeployment = await expectTrpcError(
      caller.uploads.create(declared(videoId, DEPLOYMENT_MAX_BYTES + 1)),
      "BAD_REQUEST",
      "VALIDATION_FAILED",
    );
    expect(overDeployment.message).toContain(String(DEPLOYMENT_MAX_BYTES));
    // Nothing was started: the video is still a DRAFT.
    expect((await caller.videos.get({ id: videoId })).status).toBe("DRAFT");
  });

  it("accepts only video/* content types and plain file names", async () => {
    const caller = app.caller(owner.bearer);
    const videoId = await draft();
    for (const contentType of ["audio/mpeg", "application/octet-stream", "video/", "video/mp4; codecs=avc1", "text/html"]) {
      await expectTrpcError(caller.uploads.create(declared(videoId, MIB, contentType)), "BAD_REQUEST", "VALIDATION_FAILED");
    }
    for (const filename of ["../clip.mp4", "a/b.mp4", "a\\b.mp4", "", "x".repeat(256)]) {
      await expectTrpcError(caller.uploads.create({ ...declared(videoId, MIB), filename }), "BAD_REQUEST", "VALIDATION_FAILED");
    }
    // Case and surrounding space are normalised, not refused.
    await expect(caller.uploads.create(declared(videoId, MIB, " Video/QuickTime "))).resolves.toMatchObject({ partCount: 1 });
  });

  it("signs part numbers only within the session's part count, at most 100 at a time", async () => {
    const caller = app.caller(owner.bearer);
    const { uploadId, partCount } = await caller.uploads.create(declared(await draft(), 20 * MIB));
    expect(partCount).toBe(3);
    const signed = await caller.uploads.signParts({ uploadId, partNumbers: [1, 2, 3, 3] });
    expect(signed.parts.map((part) => part.partNumber)).toEqual([1, 2, 3]);
    // Refused after the schema passed, still keyed by the field, as every VALIDATION_FAILED is.
    const outOfRange = await expectTrpcError(
      caller.uploads.signParts({ uploadId, partNumbers: [4] }),
      "BAD_REQUEST",
      "VALIDATION_FAILED",
    );
    expect(fieldErrorsOf(outOfRange)).toEqual({ partNumbers: ["Part numbers run from 1 to 3"] });
    await expectTrpcError(caller.uploads.signParts({ uploadId, partNumbers: [0] }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(
      caller.uploads.signParts({ uploadId, partNumbers: Array.from({ length: 101 }, (_, index) => 1 + (index % 3)) }),
      "BAD_REQUEST",
      "VALIDATION_FAILED",
    );
    await expectTrpcError(caller.uploads.signParts({ uploadId, partNumbers: [] }), "BAD_REQUEST", "VALIDATION_FAILED");
  });

  it("starts only on a video that may take an upload: DRAFT, or UPLOADING again", async () => {
    const caller = app.caller(owner.bearer);
    const videoId = await draft();
    const first = await caller.uploads.create(declared(videoId, MIB));
    expect((await caller.videos.get({ id: videoId })).status).toBe("UPLOADING");
    // Starting again supersedes the first session.
    const second = await caller.uploads.create(declared(videoId, 2 * MIB));
    await expectTrpcError(caller.uploads.listParts({ uploadId: first.uploadId }), "CONFLICT", "UPLOAD_SESSION_NOT_ACTIVE");
    await expect(caller.uploads.listParts({ uploadId: second.uploadId })).resolves.toEqual({ parts: [] });

    const db = app.container.get<Database>(DATABASE);
    for (const status of ["UPLOADED", "PROCESSING", "READY", "FAILED"] as const) {
      const other = await draft();
      await db.prisma.video.update({ where: { id: other }, data: { status, version: { increment: 1 } } });
      const refused = await expectTrpcError(
        caller.uploads.create(declared(other, MIB)),
        "UNPROCESSABLE_CONTENT",
        "VIDEO_INVALID_STATE",
      );
      expect(refused.cause).toMatchObject({ details: { from: status, to: "UPLOADING" } });
    }
  });

  it("hides someone else's video (VIDEO_NOT_FOUND) and its sessions (UPLOAD_SESSION_NOT_FOUND); an admin may not upload for the owner", async () => {
    const videoId = await draft();
    const { uploadId } = await app.caller(owner.bearer).uploads.create(declared(videoId, MIB));
    const stranger = await registerUser(app, "stranger");
    await expectTrpcError(app.caller(stranger.bearer).uploads.create(declared(videoId, MIB)), "NOT_FOUND", "VIDEO_NOT_FOUND");
    await expectTrpcError(
      app.caller(stranger.bearer).uploads.create(declared("00000000-0000-4000-8000-000000000000", MIB)),
      "NOT_FOUND",
      "VIDEO_NOT_FOUND",
    );
    for (const call of [
      () => app.caller(stranger.bearer).uploads.signParts({ uploadId, partNumbers: [1] }),
      () => app.caller(stranger.bearer).uploads.listParts({ uploadId }),
      () => app.caller(stranger.bearer).uploads.abort({ uploadId }),
      () => app.caller(stranger.bearer).uploads.complete({ uploadId, parts: [{ partNumber: 1, etag: "x" }] }),
    ]) {
      await expectTrpcError(call(), "NOT_FOUND", "UPLOAD_SESSION_NOT_FOUND");
    }
    const admin = await registerAdmin(app);
    await expectTrpcError(app.caller(admin.bearer).uploads.create(declared(videoId, MIB)), "FORBIDDEN", "NOT_VIDEO_OWNER");
    // The owner's session is untouched by all of that.
    await expect(app.caller(owner.bearer).uploads.listParts({ uploadId })).resolves.toEqual({ parts: [] });
  });

  it("needs videos:write from an API key", async () => {
    const videoId = await draft();
    const { key: reader } = await app.caller(owner.bearer).apiKeys.create({ name: "reader", scopes: ["videos:read"] });
    await expectTrpcError(
      app.caller(`ApiKey ${reader}`).uploads.create(declared(videoId, MIB)),
      "FORBIDDEN",
      "API_KEY_SCOPE_MISSING",
    );
    const { key: writer } = await app.caller(owner.bearer).apiKeys.create({ name: "writer", scopes: ["videos:write"] });
    await expect(app.caller(`ApiKey ${writer}`).uploads.create(declared(videoId, MIB))).resolves.toMatchObject({ partCount: 1 });
  });
});
