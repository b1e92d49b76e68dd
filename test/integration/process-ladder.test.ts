import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError } from "../support/errors.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo } from "../support/processing.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

// No job consumer: the jobs stay QUEUED, which is all the ladder decides.
describe.each(backends())("videos.processLadder on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let wide: string;
  let small: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-ladder-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    wide = await makeTestVideo(dir, { seconds: 1, width: 1280, height: 720 });
    small = await makeTestVideo(path.join(dir), { seconds: 1, width: 320, height: 180 });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("orders one job per rung the source fills up to the tier's highest, each charged; a repeat orders nothing", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, wide);
    const { jobs } = await caller.videos.processLadder({ id });
    expect(jobs.map((job) => [job.quality, job.creditsCharged, job.status])).toEqual([
      ["P360", 1, "QUEUED"],
      ["P720", 2, "QUEUED"],
    ]);
    expect((await caller.credits.balance()).balance).toBe(27);
    expect(await caller.videos.processLadder({ id })).toEqual({ jobs: [] });
    expect((await caller.credits.balance()).balance).toBe(27);
    await expectTrpcError(
      caller.videos.processLadder({ id, maxQuality: "P1080" }),
      "UNPROCESSABLE_CONTENT",
      "QUALITY_NOT_ALLOWED_FOR_TIER",
    );
  });

  it("never upscales: a small source gets the lowest rung only; maxQuality caps the ladder", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const tiny = await uploadedVideo(app, caller, small);
    expect((await caller.videos.processLadder({ id: tiny })).jobs.map((job) => job.quality)).toEqual(["P360"]);
    const capped = await uploadedVideo(app, caller, wide);
    expect((await caller.videos.processLadder({ id: capped, maxQuality: "P360" })).jobs.map((job) => job.quality)).toEqual([
      "P360",
    ]);
    // The rest of the ladder later: P360 is active, so only P720 is ordered.
    expect((await caller.videos.processLadder({ id: capped })).jobs.map((job) => job.quality)).toEqual(["P720"]);
  });

  it("replays the same jobs for the same idempotency key, and is the owner's alone", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, wide);
    const first = await caller.videos.processLadder({ id, idempotencyKey: "ladder-1" });
    const again = await caller.videos.processLadder({ id, idempotencyKey: "ladder-1" });
    expect(again.jobs.map((job) => job.id)).toEqual(first.jobs.map((job) => job.id));
    expect(first.jobs.map((job) => job.idempotencyKey)).toEqual(["ladder-1#P360", "ladder-1#P720"]);
    const other = await registerUser(app, "other");
    await expectTrpcError(app.caller(other.bearer).videos.processLadder({ id }), "NOT_FOUND", "VIDEO_NOT_FOUND");
  });

  it("charges each rung once when five ladders of one video race", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, wide);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => caller.videos.processLadder({ id })));
    const ordered = results.flatMap((result) => (result.status === "fulfilled" ? result.value.jobs : []));
    expect(ordered.map((job) => job.quality).sort()).toEqual(["P360", "P720"]);
    for (const result of results) if (result.status === "rejected") expect(String(result.reason)).toMatch(/modified|already/i);
    expect((await caller.credits.balance()).balance).toBe(27);
    expect((await caller.jobs.list({ videoId: id })).items).toHaveLength(2);
  });
});
