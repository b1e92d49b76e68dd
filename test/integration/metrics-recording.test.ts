import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import { promMetricsOf } from "../../server/src/metrics/create-metrics.js";
import type { PromMetrics } from "../../server/src/metrics/prom-metrics.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo, waitForJob } from "../support/processing.js";
import { parseScrape } from "../support/prometheus.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

/** What the application records through the Metrics port, read back as Prometheus would. */
describe("metrics recorded by jobs, credits and caches", () => {
  let app: TestApp;
  let dir: string;
  let metrics: PromMetrics;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-metrics-"));
    app = await createTestApp("pglite", { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    const bound = promMetricsOf(app.container);
    if (!bound) throw new Error("metrics are on by default");
    metrics = bound;
    await startJobConsumer(app.container);
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("counts a job run from start to success, the credits it charged and gave back, and the queue emptying", async () => {
    const clip = await makeTestVideo(dir, { seconds: 1, width: 160, height: 90 });
    const alice = await registerUser(app, "metrics");
    const as = app.caller(alice.bearer);
    const id = await uploadedVideo(app, as, clip);

    const job = await as.videos.process({ id, quality: "P360" });
    expect(job.creditsCharged).toBe(1);
    expect((await waitForJob(as, job.id, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
    const cancelled = await as.videos.process({ id, quality: "P720" });
    expect(cancelled.creditsCharged).toBe(2);
    await as.jobs.cancel({ id: cancelled.id });
    await waitForJob(as, cancelled.id, ["CANCELLED"]);
    for (let i = 0; i < 3; i++) await as.videos.get({ id });

    // A run cancelled while running ends its attempt a moment after the row says CANCELLED.
    const deadline = Date.now() + 10_000;
    let scrape = parseScrape(await metrics.scrape());
    const ended = () =>
      scrape
        .samples("reelbase_jobs_finished_total")
        .filter((sample) => sample.labels.type === "TRANSCODE")
        .reduce((sum, sample) => sum + sample.value, 0);
    while (ended() < (scrape.value("reelbase_jobs_started_total", { type: "TRANSCODE" }) ?? 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      scrape = parseScrape(await metrics.scrape());
    }

    expect(scrape.value("reelbase_jobs_started_total", { type: "TRANSCODE" })).toBeGreaterThanOrEqual(1);
    expect(scrape.value("reelbase_jobs_finished_total", { type: "TRANSCODE", outcome: "succeeded" })).toBe(1);
    expect(ended()).toBe(scrape.value("reelbase_jobs_started_total", { type: "TRANSCODE" }));
    expect(scrape.value("reelbase_job_duration_seconds_count", { type: "TRANSCODE", outcome: "succeeded" })).toBe(1);
    expect(scrape.value("reelbase_job_duration_seconds_sum", { type: "TRANSCODE", outcome: "succeeded" })).toBeGreaterThan(0);
    expect(scrape.value("reelbase_credits_charged_total")).toBe(3);
    expect(scrape.value("reelbase_credits_refunded_total")).toBe(2);
    expect(scrape.value("reelbase_queue_jobs", { status: "QUEUED" })).toBe(0);
    expect(scrape.value("reelbase_queue_jobs", { status: "RUNNING" })).toBe(0);
    const reads = (cache: string) =>
      (scrape.value("reelbase_cache_hits_total", { cache }) ?? 0) + (scrape.value("reelbase_cache_misses_total", { cache }) ?? 0);
    expect(reads("video")).toBeGreaterThan(0);
    expect(reads("user")).toBeGreaterThan(0);
  });
});
