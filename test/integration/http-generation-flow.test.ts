import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpApp } from "../../server/src/http/app.js";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { GENERATION_AVAILABILITY, type GenerationAvailability } from "../../server/src/shared/application/generation-provider.js";
import { expectTrpcError } from "../support/errors.js";
import { ffprobeJson } from "../support/media-inspection.js";
import { makeTestVideo, testVideoCodecs } from "../support/media-fixtures.js";
import { waitForJob } from "../support/processing.js";
import { backends, createTestApp, silentLogger, type AppCaller, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

// msw answers for the provider's origin inside this process; nothing listens there.
const PROVIDER = "http://127.0.0.1:47915";
const API_KEY = "flow-test-key-7b3e19c04d";
const HALF_OPEN_MS = 4_000;
const SCRIPT = "Hello from Reelbase. This video came from a remote provider.";
const FLOW_TIMEOUT_MS = 60_000;

interface Step {
  status: "queued" | "processing" | "completed" | "failed";
  progress: number;
  error?: string;
}

/** What one provider video does: its status answers per poll (the last repeats) and its result. */
interface Plan {
  steps: Step[];
  result: "video" | "garbage";
}

interface FakeVideo {
  id: string;
  key: string;
  body: unknown;
  polls: number;
  plan: Plan;
}

interface Recorded {
  method: string;
  path: string;
  authorization: string | null;
  idempotencyKey: string | null;
}

/** The provider, modelled: videos by Idempotency-Key, every request recorded. */
class FakeProvider {
  readonly videos = new Map<string, FakeVideo>();
  readonly requests: Recorded[] = [];
  /** While true, every create answers 503 (an outage). */
  down = false;
  /** The plan of each new video, chosen by its script. */
  planFor: (body: { script?: string }) => Plan = () => ({
    steps: [
      { status: "queued", progress: 0 },
      { status: "processing", progress: 40 },
      { status: "completed", progress: 100 },
    ],
    result: "video",
  });

  record(request: Request): void {
    this.requests.push({
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get("authorization"),
      idempotencyKey: request.headers.get("idempotency-key"),
    });
  }

  posts(): Recorded[] {
    return this.requests.filter((request) => request.method === "POST");
  }

  byKey(key: string): FakeVideo | undefined {
    return [...this.videos.values()].find((video) => video.key === key);
  }

  create(request: Request, body: { script?: string }): FakeVideo {
    const key = request.headers.get("idempotency-key") ?? "";
    const existing = this.byKey(key);
    if (existing) return existing;
    const video = { id: `vid_${this.videos.size + 1}`, key, body, polls: 0, plan: this.planFor(body) };
    this.videos.set(video.id, video);
    return video;
  }
}

let fake: FakeProvider;
let fixture: Buffer;
let garbage: Buffer;
let fixtureDir: string;
const mock = setupServer();

function providerHandlers() {
  return [
    http.post(`${PROVIDER}/v1/videos`, async ({ request }) => {
      fake.record(request);
      if (fake.down) return HttpResponse.json({ error: "down for maintenance" }, { status: 503 });
      const video = fake.create(request, (await request.json()) as { script?: string });
      return HttpResponse.json({ id: video.id }, { status: 201 });
    }),
    http.get(`${PROVIDER}/v1/videos/:id`, ({ request, params }) => {
      fake.record(request);
      const video = fake.videos.get(String(params.id));
      if (!video) return HttpResponse.json({ error: "no such video" }, { status: 404 });
      const step = video.plan.steps[Math.min(video.polls, video.plan.steps.length - 1)]!;
      video.polls += 1;
      return HttpResponse.json({
        id: video.id,
        ...step,
        ...(step.status === "completed" ? { resultUrl: `${PROVIDER}/results/${video.id}.mp4` } : {}),
      });
    }),
    http.delete(`${PROVIDER}/v1/videos/:id`, ({ request }) => {
      fake.record(request);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${PROVIDER}/results/:file`, ({ request, params }) => {
      fake.record(request);
      const video = fake.videos.get(String(params.file).replace(/\.mp4$/, ""));
      if (!video) return new HttpResponse(null, { status: 404 });
      const bytes = video.plan.result === "video" ? fixture : garbage;
      return new HttpResponse(new Uint8Array(bytes), {
        headers: { "content-type": "video/mp4", "content-length": String(bytes.length) },
      });
    }),
    // Anything else on the provider's origin is a request this model does not know: make it loud.
    http.all(`${PROVIDER}/*`, ({ request }) => {
      fake.record(request);
      return HttpResponse.json({ error: "unexpected request" }, { status: 400 });
    }),
  ];
}

beforeAll(async () => {
  fixtureDir = await mkdtemp(path.join(tmpdir(), "reelbase-http-gen-flow-fixture-"));
  fixture = await readFile(await makeTestVideo(fixtureDir, { seconds: 1, width: 160, height: 90 }));
  garbage = randomBytes(64 * 1024);
  // Bypass: the readiness check below is a real request to the app's own server on 127.0.0.1.
  mock.listen({ onUnhandledRequest: "bypass" });
});
afterAll(async () => {
  mock.close();
  await rm(fixtureDir, { recursive: true, force: true });
});
beforeEach(() => {
  fake = new FakeProvider();
  mock.use(...providerHandlers());
});
afterEach(() => mock.resetHandlers());

/** videos.generate through the HTTP provider (modelled with msw), the real app, queue, ffprobe and ffmpeg. */
describe.each(backends())("videos.generate through the HTTP provider on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let health: Server;
  let healthUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-http-gen-flow-"));
    app = await createTestApp(backend, {
      LOCAL_STORAGE_DIR: path.join(dir, "objects"),
      GENERATION_PROVIDER_URL: PROVIDER,
      GENERATION_PROVIDER_API_KEY: API_KEY,
      GENERATION_POLL_INTERVAL_MS: "50",
      GENERATION_TIMEOUT_MS: "2000",
      GENERATION_MAX_RETRIES: "1",
      GENERATION_BREAKER_THRESHOLD: "2",
      GENERATION_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    });
    await startJobConsumer(app.container);
    // The real express app on this container, for /health/ready.
    health = createServer(createHttpApp(app.container, app.config, silentLogger));
    await new Promise<void>((resolve) => health.listen(0, "127.0.0.1", resolve));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health/ready`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve()));
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const balance = async (as: AppCaller) => (await as.credits.balance()).balance;
  const newCaller = async (label: string) => app.caller((await registerUser(app, label)).bearer);
  const files = (videoId: string) => app.container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).listByVideo(videoId);
  const availability = () => app.container.get<GenerationAvailability>(GENERATION_AVAILABILITY);

  it(
    "succeeds: the provider's result becomes the source, a rendition and a thumbnail, charged 5 once",
    async () => {
      const as = await newCaller("http-gen");
      const { video, job } = await as.videos.generate({ title: "Remote", script: SCRIPT, quality: "P360", voice: "en-gb" });
      expect(job).toMatchObject({ type: "GENERATE", creditsCharged: 5, run: 1 });
      expect(await balance(as)).toBe(25);
      expect(await waitForJob(as, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"])).toMatchObject({
        status: "SUCCEEDED",
        progress: 100,
        attempts: 1,
        lastError: null,
      });

      const expected = await ffprobeFixture();
      const codecs = await testVideoCodecs();
      const ready = await as.videos.get({ id: video.id });
      expect(ready).toMatchObject({
        status: "READY",
        width: 160,
        height: 90,
        videoCodec: codecs.video,
        audioCodec: codecs.audio,
        source: { contentType: "video/mp4", sizeBytes: fixture.length },
      });
      expect(ready.durationSeconds).toBeCloseTo(expected.duration, 1);
      expect((await files(video.id)).map((file) => [file.kind, file.quality]).sort()).toEqual([
        ["RENDITION", "P360"],
        ["SOURCE", null],
        ["THUMBNAIL", null],
      ]);
      expect(await balance(as)).toBe(25);

      const posts = fake.posts();
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ idempotencyKey: job.id, authorization: `Bearer ${API_KEY}` });
      expect(fake.byKey(job.id)?.body).toEqual({ script: SCRIPT, voice: "en-gb", width: 640, height: 360 });
      // Every call, the result download on the provider's origin included, carried the key.
      expect(new Set(fake.requests.map((request) => request.authorization))).toEqual(new Set([`Bearer ${API_KEY}`]));
      expect(fake.requests.some((request) => request.path.startsWith("/results/"))).toBe(true);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "fails for good and refunds when the provider's result is not a video",
    async () => {
      fake.planFor = () => ({ steps: [{ status: "completed", progress: 100 }], result: "garbage" });
      const as = await newCaller("http-gen-garbage");
      const { video, job } = await as.videos.generate({ title: "Garbage", script: SCRIPT, quality: "P360" });
      const failed = await waitForJob(as, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"]);
      expect(failed).toMatchObject({ status: "FAILED", attempts: 1 });
      expect(failed.lastError).toMatch(/not a decodable video/);
      expect(await balance(as)).toBe(30);
      expect((await as.videos.get({ id: video.id })).status).toBe("FAILED");
      expect(await files(video.id)).toEqual([]);
      expect(fake.posts()).toHaveLength(1); // permanent: not asked again
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "fails for good with the provider's own words when it reports the video failed, refunded",
    async () => {
      fake.planFor = () => ({
        steps: [
          { status: "processing", progress: 30 },
          { status: "failed", progress: 30, error: "the voice en-us cannot read this script" },
        ],
        result: "video",
      });
      const as = await newCaller("http-gen-failed");
      const { video, job } = await as.videos.generate({ title: "Failed", script: SCRIPT, quality: "P360" });
      const failed = await waitForJob(as, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"]);
      expect(failed).toMatchObject({ status: "FAILED", attempts: 1 });
      expect(failed.lastError).toContain("the voice en-us cannot read this script");
      expect(failed.lastError).not.toContain(API_KEY);
      expect(await balance(as)).toBe(30);
      expect((await as.videos.get({ id: video.id })).status).toBe("FAILED");
      expect(fake.posts()).toHaveLength(1);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "cancels a running generation: the provider is told with DELETE, the video FAILED, refunded",
    async () => {
      fake.planFor = () => ({ steps: [{ status: "processing", progress: 10 }], result: "video" });
      const as = await newCaller("http-gen-cancel");
      const { video, job } = await as.videos.generate({ title: "Cancelled", script: SCRIPT, quality: "P360" });
      await expect.poll(() => fake.byKey(job.id)?.polls ?? 0, { timeout: 10_000 }).toBeGreaterThan(2);
      expect((await as.jobs.get({ id: job.id })).status).toBe("RUNNING");
      expect(await as.jobs.cancel({ id: job.id })).toMatchObject({ status: "CANCELLED" });
      const providerId = fake.byKey(job.id)?.id;
      await expect
        .poll(() => fake.requests.filter((request) => request.method === "DELETE").map((request) => request.path), {
          timeout: 10_000,
        })
        .toEqual([`/v1/videos/${providerId}`]);
      expect((await as.jobs.get({ id: job.id })).status).toBe("CANCELLED");
      expect((await as.videos.get({ id: video.id })).status).toBe("FAILED");
      expect(await balance(as)).toBe(30);
      // The run stopped: no more polling after the DELETE.
      const polls = fake.byKey(job.id)?.polls ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(fake.byKey(job.id)?.polls).toBe(polls);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "does not follow a redirect from the provider's DELETE (its other calls refuse redirects too)",
    async () => {
      const hits: Array<{ method: string | undefined; url: string | undefined }> = [];
      const receiver = createServer((incoming, response) => {
        hits.push({ method: incoming.method, url: incoming.url });
        response.end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      try {
        const elsewhere = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/internal/admin`;
        mock.use(
          http.delete(`${PROVIDER}/v1/videos/:id`, ({ request }) => {
            fake.record(request);
            return new HttpResponse(null, { status: 307, headers: { location: elsewhere } });
          }),
        );
        fake.planFor = () => ({ steps: [{ status: "processing", progress: 10 }], result: "video" });
        const as = await newCaller("http-gen-cancel-redirect");
        const { job } = await as.videos.generate({ title: "Cancelled", script: SCRIPT, quality: "P360" });
        await expect.poll(() => fake.byKey(job.id)?.polls ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
        await as.jobs.cancel({ id: job.id });
        await expect
          .poll(() => fake.requests.filter((request) => request.method === "DELETE").length, { timeout: 10_000 })
          .toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(hits).toEqual([]);
        expect(await balance(as)).toBe(30);
      } finally {
        await new Promise<void>((resolve) => receiver.close(() => resolve()));
      }
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "jobs.retry runs a FAILED generation again under a new Idempotency-Key, charged again",
    async () => {
      let attempt = 0;
      fake.planFor = () =>
        ++attempt === 1
          ? { steps: [{ status: "failed", progress: 0, error: "temporarily out of voices" }], result: "video" }
          : {
              steps: [
                { status: "processing", progress: 50 },
                { status: "completed", progress: 100 },
              ],
              result: "video",
            };
      const as = await newCaller("http-gen-retry");
      const { video, job } = await as.videos.generate({ title: "Retried", script: SCRIPT, quality: "P360" });
      expect(await waitForJob(as, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"])).toMatchObject({ status: "FAILED", run: 1 });
      expect(await balance(as)).toBe(30);

      expect(await as.jobs.retry({ id: job.id })).toMatchObject({ status: "QUEUED", run: 2, creditsCharged: 5 });
      expect(await balance(as)).toBe(25);
      expect(await waitForJob(as, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"])).toMatchObject({
        status: "SUCCEEDED",
        run: 2,
        lastError: null,
      });
      expect(fake.posts().map((request) => request.idempotencyKey)).toEqual([job.id, `${job.id}-1`]);
      expect(fake.videos.size).toBe(2); // a new run is a new provider video
      expect((await as.videos.get({ id: video.id })).status).toBe("READY");
      expect(await balance(as)).toBe(25);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    "refuses new generations at once while the circuit is open, stays ready (degraded), and recovers",
    async () => {
      expect(await readiness()).toEqual({ status: 200, body: expect.objectContaining({ status: "ok" }) });
      fake.down = true;
      const first = await newCaller("http-gen-outage");
      const { job } = await first.videos.generate({ title: "During the outage", script: SCRIPT, quality: "P360" });
      expect(await balance(first)).toBe(25);
      // Two failed creates (one call and its retry) reach the threshold: the circuit opens.
      await expect.poll(() => availability().isAvailable(), { timeout: 10_000 }).toBe(false);
      expect(fake.posts().map((request) => request.idempotencyKey)).toEqual([job.id, job.id]);

      const as = await newCaller("http-gen-refused");
      const started = Date.now();
      const refused = await expectTrpcError(
        as.videos.generate({ title: "Refused", script: SCRIPT, quality: "P360" }),
        "SERVICE_UNAVAILABLE",
        "GENERATION_UNAVAILABLE",
      );
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(getHTTPStatusCodeFromError(refused)).toBe(503);
      expect(await balance(as)).toBe(30);
      expect((await as.videos.list({})).items).toHaveLength(0);
      expect(fake.posts()).toHaveLength(2); // refused without calling the provider

      expect(await readiness()).toEqual({
        status: 200,
        body: {
          status: "degraded",
          degraded: ["generation"],
          checks: expect.objectContaining({ generation: "degraded" }),
          adapters: expect.any(Object),
        },
      });

      // The job accepted before the circuit opened: its next attempt meets the open circuit, for good.
      const failed = await waitForJob(first, job.id, ["SUCCEEDED", "FAILED", "CANCELLED"]);
      expect(failed).toMatchObject({ status: "FAILED", attempts: 2 });
      expect(failed.lastError).toMatch(/generation provider is unavailable/);
      expect(await balance(first)).toBe(30);

      // The provider is back; after the half-open delay a generation is accepted and its trial call closes it.
      fake.down = false;
      await expect.poll(() => availability().isAvailable(), { timeout: HALF_OPEN_MS + 5_000, interval: 200 }).toBe(true);
      const { video, job: after } = await as.videos.generate({ title: "After", script: SCRIPT, quality: "P360" });
      expect(await waitForJob(as, after.id, ["SUCCEEDED", "FAILED", "CANCELLED"])).toMatchObject({ status: "SUCCEEDED" });
      expect((await as.videos.get({ id: video.id })).status).toBe("READY");
      expect(await balance(as)).toBe(25);
      expect(await availability().isAvailable()).toBe(true);
      expect(await readiness()).toEqual({ status: 200, body: expect.objectContaining({ status: "ok" }) });
    },
    FLOW_TIMEOUT_MS,
  );

  async function readiness(): Promise<{ status: number; body: unknown }> {
    const response = await fetch(healthUrl);
    return { status: response.status, body: await response.json() };
  }
});

async function ffprobeFixture(): Promise<{ duration: number }> {
  const file = path.join(fixtureDir, "fixture-copy.mp4");
  await writeFile(file, fixture);
  const probed = await ffprobeJson(file);
  return { duration: Number(probed.format.duration) };
}
