import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { expectTrpcError } from "../support/errors.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo } from "../support/processing.js";
import { backends, createTestApp, type AppCaller, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

/**
 * One active job per video and quality. No job consumer runs here, so accepted jobs stay QUEUED and
 * every refusal is deterministic; the races go through the real use case and the database's index.
 */
describe.each(backends())("one active job per quality on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-active-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    clip = await makeTestVideo(dir, { seconds: 1, width: 160, height: 90 });
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const detailsOf = (error: unknown) =>
    error instanceof Error && error.cause instanceof DomainError ? error.cause.details : undefined;
  // Accepted jobs stay QUEUED here: cancel them after each test, so no other suite's sweep of
  // stranded jobs on the shared database meets them.
  const callers: AppCaller[] = [];
  afterEach(async () => {
    for (const as of callers.splice(0)) {
      for (const job of (await as.jobs.list({ status: "QUEUED", limit: 100 })).items) await as.jobs.cancel({ id: job.id });
    }
  });
  const balance = async (as: AppCaller) => (await as.credits.balance()).balance;

  it("refuses a second job for a queued quality with 409 and the active job's id, and takes another quality", async () => {
    const { bearer } = await registerUser(app, "seq");
    const as = app.caller(bearer);
    callers.push(as);
    const id = await uploadedVideo(app, as, clip);
    const first = await as.videos.process({ id, quality: "P360" });
    const refused = await expectTrpcError(as.videos.process({ id, quality: "P360" }), "CONFLICT", "JOB_ALREADY_ACTIVE");
    expect(detailsOf(refused)).toEqual({ quality: "P360", jobId: first.id });
    // The same idempotency key is a replay, not a second request.
    const keyed = await as.videos.process({ id, quality: "P720", idempotencyKey: "k" });
    expect(await as.videos.process({ id, quality: "P720", idempotencyKey: "k" })).toMatchObject({ id: keyed.id });
    expect(await balance(as)).toBe(30 - 1 - 2);
    expect((await as.jobs.list({ videoId: id })).items).toHaveLength(2);
    expect((await as.jobs.list({ videoId: id, type: "TRANSCODE" })).items).toHaveLength(2);
    expect((await as.jobs.list({ videoId: id, type: "GENERATE" })).items).toHaveLength(0);
  });

  it("accepts the quality again once its job has ended without a rendition", async () => {
    const { bearer } = await registerUser(app, "again");
    const as = app.caller(bearer);
    callers.push(as);
    const id = await uploadedVideo(app, as, clip);
    const first = await as.videos.process({ id, quality: "P360" });
    await as.jobs.cancel({ id: first.id });
    const second = await as.videos.process({ id, quality: "P360" });
    expect(second.id).not.toBe(first.id);
    expect(await balance(as)).toBe(29);
  });

  it("creates one job and one charge when 12 requests for one quality race", async () => {
    const { bearer } = await registerUser(app, "race");
    const as = app.caller(bearer);
    callers.push(as);
    const id = await uploadedVideo(app, as, clip);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => as.videos.process({ id, quality: "P360" })));
    const created = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    expect(created).toHaveLength(1);
    for (const result of results) {
      if (result.status === "fulfilled") continue;
      const error = await expectTrpcError(Promise.reject(result.reason), "CONFLICT", "JOB_ALREADY_ACTIVE");
      expect(detailsOf(error)).toMatchObject({ jobId: created[0]?.id });
    }
    expect(await balance(as)).toBe(29);
    expect((await as.jobs.list({ videoId: id })).items).toHaveLength(1);
    expect((await as.credits.ledger({ limit: 10 })).items.filter((entry) => entry.kind === "CHARGE")).toHaveLength(1);
  });

  it("refuses a quality that is already READY with 422, also raced, and charges nothing", async () => {
    const { bearer } = await registerUser(app, "ready");
    const as = app.caller(bearer);
    callers.push(as);
    const id = await uploadedVideo(app, as, clip);
    // A finished P360 rendition, as the transcode processor records it.
    await app.container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).add({
      id: randomUUID(),
      videoId: id,
      kind: "RENDITION",
      storageKey: `videos/${id}/renditions/p360-${randomUUID()}.mp4`,
      contentType: "video/mp4",
      sizeBytes: 1000,
      sha256: "0".repeat(64),
      quality: "P360",
      width: 160,
      height: 90,
      bitrate: 800_000,
      codecs: null,
      frameRate: null,
      hls: null,
      createdAt: new Date(),
    });
    await expectTrpcError(as.videos.process({ id, quality: "P360" }), "UNPROCESSABLE_CONTENT", "RENDITION_EXISTS");
    await Promise.all(
      Array.from({ length: 6 }, () =>
        expectTrpcError(as.videos.process({ id, quality: "P360" }), "UNPROCESSABLE_CONTENT", "RENDITION_EXISTS"),
      ),
    );
    expect(await balance(as)).toBe(30);
    expect((await as.jobs.list({ videoId: id })).items).toHaveLength(0);
    // Another quality is still open.
    await as.videos.process({ id, quality: "P720" });
    expect(await balance(as)).toBe(28);
  });
});
