import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREDIT_LEDGER, type CreditLedger } from "../../server/src/modules/billing/application/credit-ledger.js";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { errorCodeOf } from "../../server/src/trpc/error-mapping.js";
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
    // Signed URLs carry their expiry: compare what they point at.
    const pathOf = (url: string) => new URL(url).pathname;
    expect(pathOf((await as.videos.downloadUrl({ id, kind: "rendition", quality: "P360" })).url)).toBe(pathOf(rendition.url));
    await expectTrpcError(as.videos.downloadUrl({ id, kind: "rendition", quality: "P720" }), "NOT_FOUND", "FILE_NOT_FOUND");
    expect((await as.videos.downloadUrl({ id, kind: "thumbnail" })).url).toContain(".jpg");
    expect((await as.credits.balance()).balance).toBe(29);
    await expectTrpcError(as.jobs.cancel({ id: job.id }), "UNPROCESSABLE_CONTENT", "JOB_INVALID_STATE");
  });

  it("refuses a quality above the tier, a video not yet uploaded, and a job the balance cannot pay", async () => {
    const bob = await registerUser(app, "bob");
    const as = app.caller(bob.bearer);
    const id = await uploadedVideo(app, as, clip);
    await expectTrpcError(as.videos.process({ id, quality: "P1080" }), "UNPROCESSABLE_CONTENT", "QUALITY_NOT_ALLOWED_FOR_TIER");
    const draft = await as.videos.create({ title: "draft" });
    await expectTrpcError(as.videos.process({ id: draft.id, quality: "P360" }), "UNPROCESSABLE_CONTENT", "VIDEO_INVALID_STATE");

    const long = await uploadedVideo(app, as, await makeTestVideo(dir, { seconds: 1, width: 160, height: 90 }));
    // 30 credits at sign-up: one P720 minute leaves 28; spend those, then nothing pays for P360.
    const paid = await as.videos.process({ id: long, quality: "P720" });
    await app.container.get<CreditLedger>(CREDIT_LEDGER).charge({ userId: bob.user.id, amount: 28, jobId: randomUUID(), run: 1 });
    expect((await as.credits.balance()).balance).toBe(0);
    await expectTrpcError(as.videos.process({ id: long, quality: "P360" }), "UNPROCESSABLE_CONTENT", "INSUFFICIENT_CREDITS");
    expect((await as.jobs.list({ videoId: long })).items.map((job) => job.id)).toEqual([paid.id]);
    expect((await as.credits.balance()).balance).toBe(0);
    await as.jobs.cancel({ id: paid.id }).catch(() => undefined);
  });

  it("returns the first job for a repeated idempotency key, also when requests race, and refuses other parameters", async () => {
    const carol = await registerUser(app, "carol");
    const as = app.caller(carol.bearer);
    const id = await uploadedVideo(app, as, clip);
    const jobs = await Promise.all(
      Array.from({ length: 10 }, () => as.videos.process({ id, quality: "P360", idempotencyKey: "render-1" })),
    );
    expect(new Set(jobs.map((job) => job.id)).size).toBe(1);
    expect((await as.credits.balance()).balance).toBe(29);
    await expectTrpcError(
      as.videos.process({ id, quality: "P720", idempotencyKey: "render-1" }),
      "CONFLICT",
      "IDEMPOTENCY_KEY_REUSED",
    );
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

  it("creates exactly as many jobs as the balance pays for when 200 requests race, and never goes below zero", async () => {
    const grace = await registerUser(app, "grace");
    const as = app.caller(grace.bearer);
    // Six videos, so there are more free (video, quality) slots than credits: the balance decides.
    const ids = await Promise.all(Array.from({ length: 6 }, () => uploadedVideo(app, as, clip)));
    // Leave exactly 5 credits: five P360 jobs of a short clip.
    await app.container
      .get<CreditLedger>(CREDIT_LEDGER)
      .charge({ userId: grace.user.id, amount: 25, jobId: randomUUID(), run: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, n) => as.videos.process({ id: ids[n % ids.length] ?? "", quality: "P360" })),
    );
    const created = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    expect(created).toHaveLength(5);
    const refusals = new Set<string>();
    for (const result of results) {
      if (result.status === "fulfilled") continue;
      const error = await expectTrpcError(Promise.reject(result.reason), result.reason.code);
      refusals.add(errorCodeOf(error));
    }
    // A job that already finished turns its quality READY; nothing else may refuse.
    expect([...refusals].every((code) => ["INSUFFICIENT_CREDITS", "JOB_ALREADY_ACTIVE", "RENDITION_EXISTS"].includes(code))).toBe(
      true,
    );
    expect(refusals).toContain("INSUFFICIENT_CREDITS");
    expect((await as.credits.balance()).balance).toBe(0);
    expect(new Set(created.map((job) => job.videoId)).size).toBe(5);
    for (const job of created) await waitForJob(as, job.id, ["SUCCEEDED"]);
  });

  it("streams the current state first, then each change, and ends with the job; a resumed stream skips what was seen", async () => {
    const heidi = await registerUser(app, "heidi");
    const as = app.caller(heidi.bearer);
    const id = await uploadedVideo(app, as, clip);
    const job = await as.videos.process({ id, quality: "P360" });
    const seen: { id: string; status: string; progress: number }[] = [];
    for await (const event of await as.jobs.onProgress({ id: job.id })) {
      const { id: eventId, data } = tracked(event);
      seen.push({ id: eventId, status: data.status, progress: data.progress });
    }
    expect(seen.at(-1)).toMatchObject({ status: "SUCCEEDED", progress: 100 });
    const revisions = seen.map((event) => Number(event.id));
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
    expect(new Set(revisions).size).toBe(revisions.length);

    const resumedFrom = seen.at(-2)?.id ?? "0";
    const resumed: string[] = [];
    for await (const event of await as.jobs.onProgress({ id: job.id, lastEventId: resumedFrom })) resumed.push(tracked(event).id);
    expect(resumed).toEqual([seen.at(-1)?.id]);
    const nothingNew: string[] = [];
    for await (const event of await as.jobs.onProgress({ id: job.id, lastEventId: seen.at(-1)?.id ?? null })) {
      nothingNew.push(tracked(event).id);
    }
    expect(nothingNew).toEqual([]);
    await expectTrpcError(
      app.caller((await registerUser(app, "ivan")).bearer).jobs.onProgress({ id: job.id }),
      "NOT_FOUND",
      "JOB_NOT_FOUND",
    );
  });

  it("cancels a running job within a second, refunds it, and leaves no ffmpeg behind", async () => {
    const judy = await registerUser(app, "judy");
    const as = app.caller(judy.bearer);
    const long = await makeTestVideo(dir, { seconds: 30, width: 1280, height: 720, audio: false });
    const id = await uploadedVideo(app, as, long);
    const job = await as.videos.process({ id, quality: "P720" });
    const deadline = Date.now() + 60_000;
    while ((await as.jobs.get({ id: job.id })).progress === 0 && Date.now() < deadline) await sleep(100);
    expect(ffmpegRunningFor(job.id)).toBe(true);

    const cancelled = await as.jobs.cancel({ id: job.id });
    expect(cancelled.status).toBe("CANCELLED");
    const stopBy = Date.now() + 2_000;
    while (ffmpegRunningFor(job.id) && Date.now() < stopBy) await sleep(50);
    expect(ffmpegRunningFor(job.id)).toBe(false);
    expect((await as.credits.balance()).balance).toBe(30);
    expect((await as.videos.get({ id })).status).toBe("UPLOADED");
    // Cancelling again returns the same job; nothing is refunded twice.
    expect((await as.jobs.cancel({ id: job.id })).status).toBe("CANCELLED");
    expect((await as.credits.ledger({})).items.filter((entry) => entry.kind === "REFUND")).toHaveLength(1);
  });

  it("cancels and refunds a video's jobs when the video is deleted", async () => {
    const ken = await registerUser(app, "ken");
    const as = app.caller(ken.bearer);
    const id = await uploadedVideo(app, as, clip);
    const jobs = await Promise.all([as.videos.process({ id, quality: "P360" }), as.videos.process({ id, quality: "P720" })]);
    await as.videos.delete({ id });
    let kept = 0;
    for (const job of jobs) {
      const { status, creditsCharged } = await as.jobs.get({ id: job.id });
      expect(["CANCELLED", "SUCCEEDED"]).toContain(status);
      if (status === "SUCCEEDED") kept += creditsCharged;
    }
    // Only a job that finished before the delete keeps its charge.
    expect((await as.credits.balance()).balance).toBe(30 - kept);
    await expectTrpcError(as.videos.downloadUrl({ id, kind: "rendition" }), "NOT_FOUND", "VIDEO_NOT_FOUND");
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The job's temp dir is named after it, so its ffmpeg is found by command line. */
function ffmpegRunningFor(jobId: string): boolean {
  try {
    return execFileSync("pgrep", ["-f", `reelbase-job-${jobId}`], { encoding: "utf8" }).trim().length > 0;
  } catch {
    return false;
  }
}

/** createCaller yields tRPC's tracked envelopes as they are: [id, data, marker]. */
function tracked<T>(event: readonly [string, T, ...unknown[]] | { id: string; data: T }): { id: string; data: T } {
  return Array.isArray(event) ? { id: event[0], data: event[1] } : (event as { id: string; data: T });
}
