import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { expectTrpcError } from "../support/errors.js";
import { makeNotAVideo, makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo, waitForJob } from "../support/processing.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerAdmin, registerUser } from "../support/users.js";

describe.each(backends())("jobs on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-jobs-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    await startJobConsumer(app.container);
    clip = await makeTestVideo(dir, { seconds: 2, width: 320, height: 180 });
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("charges, transcodes, and serves the rendition and thumbnail of a READY video", async () => {
    const alice = await registerUser(app, "alice");
    const as = app.caller(alice.bearer);
    const id = await uploadedVideo(app, as, clip);
    const job = await as.videos.process({ id, quality: "P360" });
    expect(job).toMatchObject({ videoId: id, type: "TRANSCODE", quality: "P360", creditsCharged: 1, maxAttempts: 3 });
    expect(["QUEUED", "RUNNING"]).toContain(job.status);
    expect((await as.credits.balance()).balance).toBe(29);

    const done = await waitForJob(as, job.id, ["SUCCEEDED", "FAILED"]);
    expect(done).toMatchObject({ status: "SUCCEEDED", progress: 100, attempts: 1, lastError: null });
    expect((await as.videos.get({ id })).status).toBe("READY");
    const rendition = await as.videos.downloadUrl({ id, kind: "rendition" });
    expect(rendition.url).toContain("/files/videos/");
    expect((await as.videos.downloadUrl({ id, kind: "rendition", quality: "P360" })).url).toBe(rendition.url);
    await expectTrpcError(as.videos.downloadUrl({ id, kind: "rendition", quality: "P720" }), "NOT_FOUND", "FILE_NOT_FOUND");
    expect((await as.videos.downloadUrl({ id, kind: "thumbnail" })).url).toContain(".jpg");
    expect((await as.credits.balance()).balance).toBe(29);
  });

  it("refuses a quality above the tier, a video not yet uploaded, and a job the balance cannot pay", async () => {
    const bob = await registerUser(app, "bob");
    const as = app.caller(bob.bearer);
    const id = await uploadedVideo(app, as, clip);
    await expectTrpcError(as.videos.process({ id, quality: "P1080" }), "UNPROCESSABLE_CONTENT", "QUALITY_NOT_ALLOWED_FOR_TIER");
    const draft = await as.videos.create({ title: "draft" });
    await expectTrpcError(as.videos.process({ id: draft.id, quality: "P360" }), "UNPROCESSABLE_CONTENT", "VIDEO_INVALID_STATE");

    const long = await uploadedVideo(app, as, await makeTestVideo(dir, { seconds: 1, width: 160, height: 90 }));
    // 30 credits at sign-up: fifteen P720 minutes, then nothing.
    for (let i = 0; i < 15; i++) await as.videos.process({ id: long, quality: "P720" });
    expect((await as.credits.balance()).balance).toBe(0);
    const before = await as.jobs.list({ videoId: long });
    await expectTrpcError(as.videos.process({ id: long, quality: "P360" }), "UNPROCESSABLE_CONTENT", "INSUFFICIENT_CREDITS");
    expect((await as.jobs.list({ videoId: long })).items).toHaveLength(before.items.length);
    expect((await as.credits.balance()).balance).toBe(0);
    for (const job of before.items) await as.jobs.cancel({ id: job.id }).catch(() => undefined);
  });

  it("returns the first job for a repeated idempotency key, also when requests race, and refuses other parameters", async () => {
    const carol = await registerUser(app, "carol");
    const as = app.caller(carol.bearer);
    const id = await uploadedVideo(app, as, clip);
    const jobs = await Promise.all(Array.from({ length: 10 }, () => as.videos.process({ id, quality: "P360", idempotencyKey: "render-1" })));
    expect(new Set(jobs.map((job) => job.id)).size).toBe(1);
    expect((await as.credits.balance()).balance).toBe(29);
    await expectTrpcError(as.videos.process({ id, quality: "P720", idempotencyKey: "render-1" }), "CONFLICT", "IDEMPOTENCY_KEY_REUSED");
    const dave = await registerUser(app, "dave");
    const otherId = await uploadedVideo(app, app.caller(dave.bearer), clip);
    // Keys are per owner: the same key is a new job for someone else.
    const davesJob = await app.caller(dave.bearer).videos.process({ id: otherId, quality: "P360", idempotencyKey: "render-1" });
    expect(davesJob.id).not.toBe(jobs[0]?.id);
  });

  it("hides a job from everyone but its owner and admins", async () => {
    const erin = await registerUser(app, "erin");
    const mallory = await registerUser(app, "mallory");
    const admin = await registerAdmin(app);
    const id = await uploadedVideo(app, app.caller(erin.bearer), clip);
    const job = await app.caller(erin.bearer).videos.process({ id, quality: "P360" });
    const thief = app.caller(mallory.bearer);
    await expectTrpcError(thief.jobs.get({ id: job.id }), "NOT_FOUND", "JOB_NOT_FOUND");
    await expectTrpcError(thief.jobs.cancel({ id: job.id }), "NOT_FOUND", "JOB_NOT_FOUND");
    expect((await thief.jobs.list({})).items).toHaveLength(0);
    expect((await thief.jobs.list({ videoId: id })).items).toHaveLength(0);
    await expectTrpcError(thief.videos.process({ id, quality: "P360" }), "NOT_FOUND", "VIDEO_NOT_FOUND");
    expect((await app.caller(admin.bearer).jobs.get({ id: job.id })).id).toBe(job.id);
    await waitForJob(app.caller(erin.bearer), job.id, ["SUCCEEDED"]);
  });

  it("fails an undecodable source at once, without retries, refunded, with a clear error", async () => {
    const frank = await registerUser(app, "frank");
    const as = app.caller(frank.bearer);
    const id = await uploadedVideo(app, as, clip);
    // Swap the probed source for garbage: what a truncated or corrupted object looks like to a worker.
    const stored = await app.container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).findLatest(id, "SOURCE");
    if (!stored) throw new Error("no source");
    await app.container
      .get<ObjectStorage>(OBJECT_STORAGE)
      .putFile(stored.storageKey, await makeNotAVideo(dir), { contentType: "video/mp4" });

    const job = await as.videos.process({ id, quality: "P360" });
    const failed = await waitForJob(as, job.id, ["FAILED", "SUCCEEDED"]);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(failed.lastError).toBeTruthy();
    expect((await as.credits.balance()).balance).toBe(30);
    expect((await as.videos.get({ id })).status).toBe("FAILED");
    const ledger = await as.credits.ledger({});
    expect(ledger.items.map((entry) => entry.kind)).toEqual(["REFUND", "CHARGE", "GRANT"]);
  });
});
