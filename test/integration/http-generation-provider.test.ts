import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryCache } from "../../server/src/cache/in-memory.cache.js";
import {
  GenerationCancelledError,
  HttpGenerationProvider,
  type HttpGenerationOptions,
} from "../../server/src/generation/http/http-generation.provider.js";
import type { GenerationRequest } from "../../server/src/shared/application/generation-provider.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { silentLogger } from "../support/test-app.js";

// msw answers for this origin; nothing listens there and no request may leave the process.
const BASE = "http://127.0.0.1:47913";
const API_KEY = "gen-test-key-4f1c9a7e0b2d";

interface FakeVideo {
  id: string;
  key: string;
  body: unknown;
  polls: number;
}

/** The provider, modelled: videos by Idempotency-Key, every request recorded. */
class FakeProvider {
  readonly videos = new Map<string, FakeVideo>();
  readonly requests: Array<{ method: string; path: string; authorization: string | null; idempotencyKey: string | null }> = [];
  /** Status answers per poll, by index (the last repeats). */
  script: Array<{ status: string; progress: number; error?: string }> = [{ status: "completed", progress: 100 }];
  resultPath = "/results/video.mp4";

  record(request: Request): void {
    const url = new URL(request.url);
    this.requests.push({
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get("authorization"),
      idempotencyKey: request.headers.get("idempotency-key"),
    });
  }

  count(method: string, prefix = "/v1/videos"): number {
    return this.requests.filter((request) => request.method === method && request.path.startsWith(prefix)).length;
  }

  create(request: Request, body: unknown): FakeVideo {
    const key = request.headers.get("idempotency-key") ?? "";
    const existing = [...this.videos.values()].find((video) => video.key === key);
    if (existing) return existing;
    const video = { id: `vid_${this.videos.size + 1}`, key, body, polls: 0 };
    this.videos.set(video.id, video);
    return video;
  }
}

let fake: FakeProvider;
let fixture: Buffer;
let workDir: string;
const mock = setupServer();

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "reelbase-http-gen-"));
  fixture = await readFile(await makeTestVideo(workDir, { seconds: 1, width: 160, height: 90 }));
  mock.listen({ onUnhandledRequest: "error" });
});
afterAll(async () => {
  mock.close();
  await rm(workDir, { recursive: true, force: true });
});
beforeEach(() => {
  fake = new FakeProvider();
  mock.use(...providerHandlers());
});
afterEach(() => mock.resetHandlers());

function providerHandlers() {
  return [
    http.post(`${BASE}/v1/videos`, async ({ request }) => {
      fake.record(request);
      const video = fake.create(request, await request.json());
      return HttpResponse.json({ id: video.id }, { status: 201 });
    }),
    http.get(`${BASE}/v1/videos/:id`, ({ request, params }) => {
      fake.record(request);
      const video = fake.videos.get(String(params.id));
      if (!video) return HttpResponse.json({ error: "no such video" }, { status: 404 });
      const step = fake.script[Math.min(video.polls, fake.script.length - 1)]!;
      video.polls += 1;
      return HttpResponse.json({
        id: video.id,
        ...step,
        ...(step.status === "completed" ? { resultUrl: `${BASE}${fake.resultPath}` } : {}),
      });
    }),
    http.delete(`${BASE}/v1/videos/:id`, ({ request }) => {
      fake.record(request);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${BASE}/results/video.mp4`, ({ request }) => {
      fake.record(request);
      return new HttpResponse(fixture, { headers: { "content-type": "video/mp4", "content-length": String(fixture.length) } });
    }),
  ];
}

const cache = () => new InMemoryCache({ defaultTtlSeconds: 60 });

function provider(options: Partial<HttpGenerationOptions> = {}): HttpGenerationProvider {
  return new HttpGenerationProvider({
    baseUrl: BASE,
    apiKey: API_KEY,
    cache: cache(),
    logger: silentLogger,
    pollIntervalMs: 10,
    timeoutMs: 1_000,
    maxRetries: 2,
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    breakerThreshold: 50,
    halfOpenAfterMs: 300,
    ...options,
  });
}

let runs = 0;
function request(idempotencyKey = "job-1"): GenerationRequest {
  return { idempotencyKey, script: "Hello from the test.", voice: "en-us", width: 1280, height: 720 };
}

function newRun(signal: AbortSignal = new AbortController().signal) {
  const progress: number[] = [];
  const outputPath = path.join(workDir, `out-${++runs}.mp4`);
  return { outputPath, signal, progress, onProgress: (percent: number) => progress.push(percent) };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("the HTTP generation provider", () => {
  it("creates, polls with progress, and streams the result to the output path", async () => {
    fake.script = [
      { status: "queued", progress: 0 },
      { status: "processing", progress: 30 },
      { status: "processing", progress: 20 }, // a provider going backwards is not reported
      { status: "processing", progress: 75 },
      { status: "completed", progress: 100 },
    ];
    const generation = provider();
    const run = newRun();
    await generation.generate(request("job-ok"), run);
    expect(run.progress).toEqual([0, 30, 75, 100]);
    expect(await readFile(run.outputPath)).toEqual(fixture);
    expect([...fake.videos.values()].map((video) => video.body)).toEqual([
      { script: "Hello from the test.", voice: "en-us", width: 1280, height: 720 },
    ]);
    expect(fake.requests.map((entry) => entry.authorization)).toEqual(fake.requests.map(() => `Bearer ${API_KEY}`));
    expect(fake.requests[0]).toMatchObject({ method: "POST", idempotencyKey: "job-ok" });
    expect(generation.describe).toBe(`http (${BASE})`);
    expect(await generation.isAvailable()).toBe(true);
    await generation.close();
  });

  it("keeps polling a slow video at the poll interval, never faster", async () => {
    fake.script = Array.from({ length: 21 }, (_, poll) =>
      poll < 20 ? { status: "processing", progress: poll * 5 } : { status: "completed", progress: 100 },
    );
    const generation = provider({ pollIntervalMs: 15 });
    const run = newRun();
    const started = Date.now();
    await generation.generate(request("job-slow"), run);
    expect(fake.count("GET", "/v1/videos/")).toBe(21);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 * 15 - 5);
    expect(run.progress).toEqual([...Array.from({ length: 20 }, (_, poll) => poll * 5), 100]);
    await generation.close();
  });

  it("gives up a video that stays in processing past the longest wait: transient, and the provider is told", async () => {
    fake.script = [{ status: "processing", progress: 10 }];
    const generation = provider({ pollIntervalMs: 20, maxWaitMs: 150 });
    const error = await rejection(generation.generate(request("job-overdue"), newRun()));
    expect(error.details?.permanent).toBe(false);
    expect(fake.count("GET", "/v1/videos/")).toBeLessThanOrEqual(10);
    expect(fake.count("DELETE")).toBe(1);
    await generation.close();
  });

  it("retries 5xx answers with the same Idempotency-Key, so one provider video is made", async () => {
    let answered = 0;
    mock.use(
      http.post(`${BASE}/v1/videos`, async ({ request: incoming }) => {
        fake.record(incoming);
        const video = fake.create(incoming, await incoming.json());
        // The provider made the video but the answer was lost twice (a proxy's 502, then a 500).
        answered += 1;
        if (answered === 1) return new HttpResponse("bad gateway", { status: 502 });
        if (answered === 2) return HttpResponse.json({ error: "internal" }, { status: 500 });
        return HttpResponse.json({ id: video.id });
      }),
    );
    const generation = provider();
    const run = newRun();
    await generation.generate(request("job-retried"), run);
    expect(fake.count("POST")).toBe(3);
    expect(fake.requests.filter((entry) => entry.method === "POST").map((entry) => entry.idempotencyKey)).toEqual([
      "job-retried",
      "job-retried",
      "job-retried",
    ]);
    expect(fake.videos.size).toBe(1);
    expect(await readFile(run.outputPath)).toEqual(fixture);
    await generation.close();
  });

  it("honours Retry-After on 429, within its bound", async () => {
    let answered = 0;
    mock.use(
      http.post(`${BASE}/v1/videos`, async ({ request: incoming }) => {
        fake.record(incoming);
        const video = fake.create(incoming, await incoming.json());
        if (++answered === 1) return HttpResponse.json({ error: "slow down" }, { status: 429, headers: { "retry-after": "30" } });
        return HttpResponse.json({ id: video.id });
      }),
    );
    const generation = provider({ maxRetryAfterMs: 200 });
    const started = Date.now();
    await generation.generate(request("job-429"), newRun());
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190); // waited what it was told, cut to the bound…
    expect(elapsed).toBeLessThan(5_000); // …not the 30 s asked for
    expect(fake.count("POST")).toBe(2);
    await generation.close();
  });

  it("fails for good with the provider's own words when the video fails", async () => {
    fake.script = [
      { status: "processing", progress: 40 },
      { status: "failed", progress: 40, error: "voice en-us is not available for this script" },
    ];
    const generation = provider();
    const run = newRun();
    const error = await rejection(generation.generate(request("job-failed"), run));
    expect(error.code).toBe("GENERATION_FAILED");
    expect(error.details?.permanent).toBe(true);
    expect(error.message).toContain("voice en-us is not available for this script");
    expect(fake.count("POST")).toBe(1);
    expect(existsSync(run.outputPath)).toBe(false);
    await generation.close();
  });

  it("treats a 4xx as the provider's final word: no retry, and never our key in the message", async () => {
    mock.use(
      http.post(`${BASE}/v1/videos`, ({ request: incoming }) => {
        fake.record(incoming);
        // A provider echoing the credential back must not put it in our job's lastError.
        return HttpResponse.json(
          { error: { message: `script rejected for ${incoming.headers.get("authorization")}` } },
          { status: 422 },
        );
      }),
    );
    const generation = provider();
    const error = await rejection(generation.generate(request("job-422"), newRun()));
    expect(error.code).toBe("GENERATION_FAILED");
    expect(error.details?.permanent).toBe(true);
    expect(error.message).toContain("422");
    expect(error.message).toContain("script rejected");
    expect(error.message).not.toContain(API_KEY);
    expect(JSON.stringify(error.details)).not.toContain(API_KEY);
    expect(fake.count("POST")).toBe(1);
    await generation.close();
  });

  it("retries a provider slower than the per-call timeout, then fails transiently (the job runner retries)", async () => {
    mock.use(
      http.post(`${BASE}/v1/videos`, async ({ request: incoming }) => {
        fake.record(incoming);
        await delay(2_000);
        return HttpResponse.json({ id: "late" });
      }),
    );
    const generation = provider({ timeoutMs: 100, maxRetries: 2 });
    const started = Date.now();
    const error = await rejection(generation.generate(request("job-slow-api"), newRun()));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.details?.permanent).not.toBe(true);
    expect(error.code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(error.message).toMatch(/did not answer in time/);
    expect(error.message).not.toContain(API_KEY);
    expect(fake.count("POST")).toBe(3);
    await generation.close();
  });

  describe("stops a result larger than the cap and removes the partial file", () => {
    it("by its Content-Length, before reading it", async () => {
      const generation = provider({ maxResultBytes: fixture.length - 1 });
      const run = newRun();
      const error = await rejection(generation.generate(request("job-big"), run));
      expect(error.code).toBe("GENERATION_FAILED");
      expect(error.details?.permanent).toBe(true);
      expect(error.message).toContain(`larger than ${fixture.length - 1} bytes`);
      expect(existsSync(run.outputPath)).toBe(false);
      expect(fake.count("GET", "/results/")).toBe(1); // permanent: not downloaded again
      await generation.close();
    });

    for (const [name, headers] of [
      ["a chunked body with no length", {}],
      ["a body longer than its Content-Length", { "content-length": "100" }],
    ] as const) {
      it(`by counting bytes: ${name}`, async () => {
        let sent = 0;
        mock.use(
          http.get(`${BASE}/results/video.mp4`, ({ request: incoming }) => {
            fake.record(incoming);
            const chunk = Buffer.alloc(16 * 1024, 7);
            const body = new ReadableStream<Uint8Array>({
              pull(controller) {
                // Endless unless stopped: the provider under test never sends a last byte.
                sent += chunk.length;
                controller.enqueue(new Uint8Array(chunk));
              },
            });
            return new HttpResponse(body, { headers: { "content-type": "video/mp4", ...headers } });
          }),
        );
        const cap = 256 * 1024;
        const generation = provider({ maxResultBytes: cap });
        const run = newRun();
        const error = await rejection(generation.generate(request("job-endless"), run));
        expect(error.message).toContain(`larger than ${cap} bytes`);
        expect(error.details?.permanent).toBe(true);
        expect(existsSync(run.outputPath)).toBe(false);
        expect(sent).toBeLessThan(cap + 20 * chunk16k);
        await generation.close();
      });
    }
  });

  it("refuses a result on another host that is not public, reaching nothing there", async () => {
    const hits: Array<{ url: string; authorization: string | undefined }> = [];
    const receiver: Server = createServer((incoming, response) => {
      hits.push({ url: incoming.url ?? "", authorization: incoming.headers.authorization });
      response.end("bytes from elsewhere");
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const port = (receiver.address() as AddressInfo).port;
    let resultUrl = "";
    try {
      mock.use(
        http.get(`${BASE}/v1/videos/:id`, ({ request: incoming }) => {
          fake.record(incoming);
          return HttpResponse.json({ status: "completed", progress: 100, resultUrl });
        }),
      );
      resultUrl = `http://localhost:${port}/by-name`;
      const generation = provider();
      const run = newRun();
      const error = await rejection(generation.generate(request("job-ssrf"), run));
      expect(error.code).toBe("GENERATION_FAILED");
      expect(error.details?.permanent).toBe(true);
      expect(error.message).toMatch(/not public/);
      resultUrl = `http://127.0.0.1:${port}/by-address`;
      expect((await rejection(generation.generate(request("job-ssrf-2"), newRun()))).message).toMatch(/not public/);
      expect(hits).toEqual([]);

      // A host on the allow-list (the guard's test hook) is fetched, and never given our key.
      const allowed = provider({ resultAllowHosts: ["127.0.0.1"] });
      const allowedRun = newRun();
      await allowed.generate(request("job-ssrf-3"), allowedRun);
      expect(await readFile(allowedRun.outputPath, "utf8")).toBe("bytes from elsewhere");
      await generation.close();
      await allowed.close();
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
    expect(hits).toEqual([{ url: "/by-address", authorization: undefined }]);
  });

  it("sends DELETE for the provider's video on cancel and rejects promptly", async () => {
    fake.script = [{ status: "processing", progress: 10 }];
    const generation = provider({ pollIntervalMs: 1_000 });
    const controller = new AbortController();
    const run = newRun(controller.signal);
    const pending = generation.generate(request("job-cancel"), run);
    await expect.poll(() => run.progress).toEqual([10]);
    const started = Date.now();
    controller.abort(new Error("cancelled by its owner"));
    await expect(pending).rejects.toBeInstanceOf(GenerationCancelledError);
    expect(Date.now() - started).toBeLessThan(500);
    const deletes = fake.requests.filter((entry) => entry.method === "DELETE");
    expect(deletes).toEqual([
      { method: "DELETE", path: "/v1/videos/vid_1", authorization: `Bearer ${API_KEY}`, idempotencyKey: null },
    ]);
    expect(existsSync(run.outputPath)).toBe(false);
    await generation.close();
  });

  it("cancels promptly also while a call is waiting out its backoff", async () => {
    mock.use(
      http.post(`${BASE}/v1/videos`, ({ request: incoming }) => {
        fake.record(incoming);
        return HttpResponse.json({ error: "busy" }, { status: 503, headers: { "retry-after": "10" } });
      }),
    );
    const generation = provider({ maxRetryAfterMs: 10_000 });
    const controller = new AbortController();
    const pending = generation.generate(request("job-cancel-backoff"), newRun(controller.signal));
    await expect.poll(() => fake.count("POST")).toBe(1);
    const started = Date.now();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(GenerationCancelledError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.count("DELETE")).toBe(0); // no provider id yet: nothing to cancel
    await generation.close();
  });

  it("opens its circuit after consecutive failures, fails fast, shares that, and closes after a good trial", async () => {
    let healthy = false;
    mock.use(
      http.post(`${BASE}/v1/videos`, async ({ request: incoming }) => {
        fake.record(incoming);
        if (!healthy) return HttpResponse.json({ error: "down" }, { status: 503 });
        return HttpResponse.json({ id: fake.create(incoming, await incoming.json()).id });
      }),
    );
    const shared = cache();
    const options = { cache: shared, breakerThreshold: 3, maxRetries: 1, halfOpenAfterMs: 400 };
    const worker = provider(options);
    const api = provider(options); // another process of the same deployment: same cache, own breaker

    const first = await rejection(worker.generate(request("job-a"), newRun()));
    expect(first.details?.permanent).not.toBe(true); // two attempts, then the job runner's retry
    expect(await worker.isAvailable()).toBe(true);
    const second = await rejection(worker.generate(request("job-b"), newRun()));
    expect(second.code).toBe("GENERATION_UNAVAILABLE"); // the third failure opened it mid-call
    expect(fake.count("POST")).toBe(3);

    const calls = fake.requests.length;
    const third = await rejection(worker.generate(request("job-c"), newRun()));
    expect(third.code).toBe("GENERATION_UNAVAILABLE");
    expect(third.details?.permanent).toBe(true);
    expect(fake.requests.length).toBe(calls); // failed fast: the provider was not called
    expect(await worker.isAvailable()).toBe(false);
    expect(await api.isAvailable()).toBe(false); // shared: the other process refuses too
    await expect(api.healthCheck.check()).rejects.toThrow(/circuit is open/);

    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 450));
    const run = newRun();
    await worker.generate(request("job-d"), run); // the half-open trial succeeds
    expect(await readFile(run.outputPath)).toEqual(fixture);
    expect(await worker.isAvailable()).toBe(true);
    expect(await api.isAvailable()).toBe(true);
    await expect(api.healthCheck.check()).resolves.toBeUndefined();
    await worker.close();
    await api.close();
  });
});

const chunk16k = 16 * 1024;
