import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryCache } from "../../server/src/cache/in-memory.cache.js";
import { HttpGenerationProvider } from "../../server/src/generation/http/http-generation.provider.js";
import { PromMetrics } from "../../server/src/metrics/prom-metrics.js";
import type { GenerationRequest } from "../../server/src/shared/application/generation-provider.js";
import { parseScrape } from "../support/prometheus.js";
import { silentLogger } from "../support/test-app.js";

// msw answers for this origin; nothing listens there.
const BASE = "http://127.0.0.1:47914";

let answer: () => Response = () => HttpResponse.json({ error: "busy" }, { status: 503 });
const server = setupServer(http.post(`${BASE}/v1/videos`, () => answer()));
let dir: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  dir = await mkdtemp(path.join(os.tmpdir(), "reelbase-metrics-provider-"));
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("generation provider metrics", () => {
  it("counts each attempt by outcome and shows the circuit's state", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    const provider = new HttpGenerationProvider({
      baseUrl: BASE,
      apiKey: "gen-test-key",
      cache: new InMemoryCache({ defaultTtlSeconds: 60 }),
      logger: silentLogger,
      metrics,
      timeoutMs: 1_000,
      maxRetries: 2,
      initialBackoffMs: 1,
      maxBackoffMs: 5,
      breakerThreshold: 3,
      halfOpenAfterMs: 60_000,
    });
    const run = { outputPath: path.join(dir, "out.mp4"), signal: new AbortController().signal, onProgress: () => {} };
    const state = async (name: string) =>
      parseScrape(await metrics.scrape()).value("reelbase_generation_provider_breaker_state", { state: name });
    expect(await state("closed")).toBe(1);

    const request: GenerationRequest = { idempotencyKey: "job-1", script: "Hello.", voice: "en-us", width: 1280, height: 720 };
    await expect(provider.generate(request, run)).rejects.toThrow();
    const scrape = parseScrape(await metrics.scrape());
    // Three attempts, each a 503; the third opens the circuit.
    expect(scrape.value("reelbase_generation_provider_calls_total", { outcome: "http_5xx" })).toBe(3);
    expect(await state("open")).toBe(1);
    expect(await state("closed")).toBe(0);

    answer = () => HttpResponse.json({ error: "no such voice" }, { status: 400 });
    await expect(provider.generate(request, run)).rejects.toThrow();
    // Refused by the open circuit: no attempt reached the provider.
    expect(
      parseScrape(await metrics.scrape()).value("reelbase_generation_provider_calls_total", { outcome: "http_4xx" }),
    ).toBeUndefined();
    await provider.close();
  });
});
