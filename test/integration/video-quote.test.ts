import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import { expectTrpcError } from "../support/errors.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo, waitForJob } from "../support/processing.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

/** The price a client shows before confirming must be what the charge then takes. */
describe.each(backends())("videos.quote and credits.prices on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let wide: string;
  let long: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-quote-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    await startJobConsumer(app.container);
    wide = await makeTestVideo(dir, { seconds: 1, width: 1280, height: 720 });
    long = await makeTestVideo(path.join(dir), { seconds: 61, width: 320, height: 180 });
  }, 90_000);

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prices each quality and the ladder as the charges then do, and follows what is covered", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, wide);
    const quote = await caller.videos.quote({ id });
    expect(quote).toMatchObject({ videoId: id, balance: 30, ladder: { qualities: ["P360", "P720"], cost: 3 } });
    expect(quote.qualities.map((q) => [q.quality, q.cost, q.allowedForTier, q.covered, q.inLadder])).toEqual([
      ["P360", 1, true, null, true],
      ["P720", 2, true, null, true],
      ["P1080", 4, false, null, false],
    ]);

    const job = await caller.videos.process({ id, quality: "P360" });
    expect(job.creditsCharged).toBe(quote.qualities[0]?.cost);
    const whileActive = await caller.videos.quote({ id });
    // The consumer may already have finished the 1-second job: ACTIVE until then, READY after.
    expect(["ACTIVE", "READY"]).toContain(whileActive.qualities[0]?.covered);
    expect(whileActive).toMatchObject({ balance: 29, ladder: { qualities: ["P720"], cost: 2 } });

    await waitForJob(caller, job.id, ["SUCCEEDED"]);
    const afterwards = await caller.videos.quote({ id });
    expect(afterwards.qualities[0]).toMatchObject({ covered: "READY", inLadder: false });
    const { jobs } = await caller.videos.processLadder({ id });
    expect(jobs.map((started) => [started.quality, started.creditsCharged])).toEqual([["P720", afterwards.ladder.cost]]);
    expect((await caller.credits.balance()).balance).toBe(afterwards.balance - afterwards.ladder.cost);
  });

  it("charges every started minute, no upscaled rung, and the price list says the same", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, long);
    const quote = await caller.videos.quote({ id });
    expect(quote.durationSeconds).toBeGreaterThan(60);
    expect(quote.qualities.map((q) => q.cost)).toEqual([2, 4, 8]);
    expect(quote.ladder).toEqual({ qualities: ["P360"], cost: 2 });
    const prices = await caller.credits.prices();
    expect(prices.transcodePerMinute).toEqual({ P360: 1, P720: 2, P1080: 4 });
    expect(prices.allowedQualities).toEqual(quote.qualities.filter((q) => q.allowedForTier).map((q) => q.quality));
    expect(quote.qualities.map((q) => 2 * prices.transcodePerMinute[q.quality])).toEqual([2, 4, 8]);
    const generated = await caller.videos.generate({ title: "Priced", script: "One line.", quality: "P360" });
    expect(generated.job.creditsCharged).toBe(prices.generation);
  });

  it("is the owner's alone, and refuses a video with nothing uploaded yet", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const id = await uploadedVideo(app, caller, wide);
    const other = await registerUser(app, "other");
    await expectTrpcError(app.caller(other.bearer).videos.quote({ id }), "NOT_FOUND", "VIDEO_NOT_FOUND");
    const draft = await caller.videos.create({ title: "Draft" });
    await expectTrpcError(caller.videos.quote({ id: draft.id }), "UNPROCESSABLE_CONTENT", "VIDEO_INVALID_STATE");
  });
});
