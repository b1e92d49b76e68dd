import type { TRPCError } from "@trpc/server";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { PUBLIC_URL, type PublicUrl } from "../../server/src/shared/application/public-url.js";
import { errorCodeOf } from "../../server/src/trpc/error-mapping.js";
import { expectTrpcError } from "../support/errors.js";
import { waitForJob } from "../support/processing.js";
import { backends, createTestApp, type AppCaller, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

const SCRIPT = "Hello from Reelbase. This video was generated from a script.";

/** videos.generate through the embedded default: the local provider (espeak-ng and ffmpeg), real media. */
describe.each(backends())("videos.generate on %s", (backend) => {
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-generate-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    await startJobConsumer(app.container);
    // Download URLs name the API's address; no HTTP server listens in a createCaller test.
    app.container.get<PublicUrl>(PUBLIC_URL).setIfUnset("http://127.0.0.1:9");
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const balance = async (as: AppCaller) => (await as.credits.balance()).balance;
  const newCaller = async (label: string) => app.caller((await registerUser(app, label)).bearer);

  it("charges 5 credits and turns the script into the video's source, a rendition and a thumbnail", async () => {
    const as = await newCaller("gen");
    const { video, job } = await as.videos.generate({ title: "Generated", script: SCRIPT, quality: "P360" });
    expect(video).toMatchObject({ title: "Generated", status: "PROCESSING" });
    expect(job).toMatchObject({ type: "GENERATE", videoId: video.id, creditsCharged: 5, quality: "P360", run: 1 });
    expect(job.params).toEqual({ quality: "P360", script: SCRIPT, voice: "en-us" });
    expect(await balance(as)).toBe(25);

    expect(await waitForJob(as, job.id, ["SUCCEEDED", "FAILED"], 60_000)).toMatchObject({ status: "SUCCEEDED", progress: 100 });
    const ready = await as.videos.get({ id: video.id });
    expect(ready).toMatchObject({ status: "READY", videoCodec: "h264", audioCodec: "aac" });
    expect(ready.durationSeconds).toBeGreaterThan(2);
    expect(ready.source?.sizeBytes).toBeGreaterThan(1000);
    const files = await app.container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).listByVideo(video.id);
    expect(files.map((file) => [file.kind, file.quality]).sort()).toEqual([
      ["RENDITION", "P360"],
      ["SOURCE", null],
      ["THUMBNAIL", null],
    ]);
    expect((await as.videos.downloadUrl({ id: video.id, kind: "rendition", quality: "P360" })).url).toContain(".mp4");
    expect((await as.videos.downloadUrl({ id: video.id, kind: "thumbnail" })).url).toContain(".jpg");
    expect((await as.jobs.list({ type: "GENERATE" })).items.map((item) => item.id)).toEqual([job.id]);
    expect((await as.jobs.list({ type: "TRANSCODE" })).items).toHaveLength(0);
    expect(await balance(as)).toBe(25);
    // The generated source can be processed like an upload, at another quality.
    expect(await as.videos.process({ id: video.id, quality: "P720" })).toMatchObject({ type: "TRANSCODE" });
    await expectTrpcError(as.videos.process({ id: video.id, quality: "P360" }), "UNPROCESSABLE_CONTENT", "RENDITION_EXISTS");
  });

  it("replays an idempotency key, also when 8 requests race: one video, one job, one charge", async () => {
    const as = await newCaller("gen-key");
    const request = {
      title: "Keyed",
      script: SCRIPT,
      quality: "P360" as const,
      voice: "en-gb" as const,
      idempotencyKey: "gen-1",
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => as.videos.generate(request)));
    expect(new Set(results.map((result) => result.job.id)).size).toBe(1);
    expect(new Set(results.map((result) => result.video.id)).size).toBe(1);
    expect((await as.videos.list({})).items).toHaveLength(1);
    expect(await balance(as)).toBe(25);
    await expectTrpcError(as.videos.generate({ ...request, script: "Another script." }), "CONFLICT", "IDEMPOTENCY_KEY_REUSED");
    await expectTrpcError(as.videos.generate({ ...request, voice: "de" }), "CONFLICT", "IDEMPOTENCY_KEY_REUSED");
    const [{ job }] = results as [(typeof results)[number]];
    await as.jobs.cancel({ id: job.id });
  });

  it("refuses what it cannot take without creating a video or charging", async () => {
    const as = await newCaller("gen-refused");
    await expectTrpcError(as.videos.generate({ title: "t", script: "", quality: "P360" }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(as.videos.generate({ title: "t", script: "x".repeat(5001), quality: "P360" }), "BAD_REQUEST");
    // @ts-expect-error: a voice the API does not list
    await expectTrpcError(as.videos.generate({ title: "t", script: SCRIPT, quality: "P360", voice: "klingon" }), "BAD_REQUEST");
    await expectTrpcError(
      as.videos.generate({ title: "t", script: SCRIPT, quality: "P1080" }),
      "UNPROCESSABLE_CONTENT",
      "QUALITY_NOT_ALLOWED_FOR_TIER",
    );
    expect((await as.videos.list({})).items).toHaveLength(0);
    expect(await balance(as)).toBe(30);
  });

  it("charges only what the balance pays for when 10 generations race", async () => {
    const as = await newCaller("gen-race");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => as.videos.generate({ title: `race ${index}`, script: SCRIPT, quality: "P360" })),
    );
    const accepted = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    expect(accepted).toHaveLength(6);
    for (const result of results)
      if (result.status === "rejected") expect(errorCodeOf(result.reason as TRPCError)).toBe("INSUFFICIENT_CREDITS");
    // A refused generation leaves no video behind: its video was made in the transaction that failed.
    expect((await as.videos.list({ limit: 100 })).items).toHaveLength(6);
    expect(await balance(as)).toBe(0);
    for (const { job } of accepted) await as.jobs.cancel({ id: job.id });
  });

  it("fails a cancelled generation's video and refunds it; jobs.retry generates it again", async () => {
    const as = await newCaller("gen-cancel");
    const { video, job } = await as.videos.generate({ title: "Cancelled", script: SCRIPT, quality: "P360" });
    expect(await as.jobs.cancel({ id: job.id })).toMatchObject({ status: "CANCELLED" });
    expect((await as.videos.get({ id: video.id })).status).toBe("FAILED");
    expect(await balance(as)).toBe(30);
    await expectTrpcError(as.jobs.retry({ id: job.id }), "UNPROCESSABLE_CONTENT", "JOB_INVALID_STATE");
  });
});
