import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { errorCodeOf } from "../../server/src/trpc/error-mapping.js";
import { expectTrpcError } from "../support/errors.js";
import { makeNotAVideo, makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo, waitForJob } from "../support/processing.js";
import { backends, createTestApp, type AppCaller, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

/** jobs.retry with the real use cases, queue and ffmpeg: a FAILED job runs again, paid again. */
describe.each(backends())("jobs.retry on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-retry-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    await startJobConsumer(app.container);
    clip = await makeTestVideo(dir, { seconds: 1, width: 160, height: 90 });
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const storage = () => app.container.get<ObjectStorage>(OBJECT_STORAGE);
  const balance = async (as: AppCaller) => (await as.credits.balance()).balance;

  /** A video whose P360 transcode FAILED (its source swapped for garbage), and how to mend the source. */
  async function failedJob(label: string) {
    const { bearer } = await registerUser(app, label);
    const as = app.caller(bearer);
    const id = await uploadedVideo(app, as, clip);
    const source = await app.container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).findLatest(id, "SOURCE");
    if (!source) throw new Error("no source");
    await storage().putFile(source.storageKey, await makeNotAVideo(dir), { contentType: "video/mp4" });
    const job = await as.videos.process({ id, quality: "P360" });
    expect(await waitForJob(as, job.id, ["FAILED", "SUCCEEDED"])).toMatchObject({ status: "FAILED", run: 1 });
    const mend = () => storage().putFile(source.storageKey, clip, { contentType: "video/mp4" });
    return { as, id, job, mend };
  }

  it("queues a FAILED job again, charges its run, and succeeds; each run is charged and refunded on its own", async () => {
    const { as, id, job, mend } = await failedJob("retry");
    expect(await balance(as)).toBe(30);
    await mend();
    const again = await as.jobs.retry({ id: job.id });
    expect(again).toMatchObject({ id: job.id, status: "QUEUED", run: 2, attempts: 0, progress: 0, creditsCharged: 1 });
    expect(await balance(as)).toBe(29);
    expect(await waitForJob(as, job.id, ["FAILED", "SUCCEEDED"])).toMatchObject({ status: "SUCCEEDED", run: 2, lastError: null });
    expect((await as.videos.get({ id })).status).toBe("READY");
    expect((await as.credits.ledger({})).items.map((entry) => [entry.kind, entry.amount])).toEqual([
      ["CHARGE", -1],
      ["REFUND", 1],
      ["CHARGE", -1],
      ["GRANT", 30],
    ]);
    await expectTrpcError(as.jobs.retry({ id: job.id }), "UNPROCESSABLE_CONTENT", "JOB_INVALID_STATE");
  });

  it("is the owner's alone, and refused while the quality is active again or already READY", async () => {
    const { as, id, job, mend } = await failedJob("retry-rules");
    const other = app.caller((await registerUser(app, "retry-other")).bearer);
    await expectTrpcError(other.jobs.retry({ id: job.id }), "NOT_FOUND", "JOB_NOT_FOUND");
    await mend();
    const fresh = await as.videos.process({ id, quality: "P360" });
    const active = await expectTrpcError(as.jobs.retry({ id: job.id }), "CONFLICT", "JOB_ALREADY_ACTIVE");
    expect(active.cause instanceof DomainError ? active.cause.details : undefined).toMatchObject({ jobId: fresh.id });
    await waitForJob(as, fresh.id, ["SUCCEEDED"]);
    await expectTrpcError(as.jobs.retry({ id: job.id }), "UNPROCESSABLE_CONTENT", "RENDITION_EXISTS");
    expect(await balance(as)).toBe(29);
  });

  it("runs and charges a job once when 10 retries of it race", async () => {
    const { as, job, mend } = await failedJob("retry-race");
    await mend();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => as.jobs.retry({ id: job.id })));
    const accepted = results.filter((result) => result.status === "fulfilled");
    expect(accepted).toHaveLength(1);
    for (const result of results)
      if (result.status === "rejected")
        expect(["JOB_ALREADY_ACTIVE", "CONCURRENT_MODIFICATION", "JOB_INVALID_STATE"]).toContain(
          errorCodeOf(result.reason as TRPCError),
        );
    expect(await balance(as)).toBe(29);
    expect(await waitForJob(as, job.id, ["FAILED", "SUCCEEDED"])).toMatchObject({ status: "SUCCEEDED", run: 2 });
  });
});
