import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { METRICS, noMetrics } from "../../server/src/shared/application/metrics.js";
import { metricsMiddleware } from "../../server/src/metrics/trpc-metrics.middleware.js";
import { publicProcedure } from "../../server/src/trpc/init.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { parseScrape, type Scrape } from "../support/prometheus.js";

const TOKEN = "metrics-token-0123456789";
const PRODUCTION = { NODE_ENV: "production", JWT_SECRET: "p".repeat(40) };

/** Whether trpc/init.ts composes the middleware into its base procedure (then every call is timed). */
const composed = (publicProcedure as unknown as { _def: { middlewares: unknown[] } })._def.middlewares.includes(
  metricsMiddleware._middlewares[0],
);

let api: HttpTestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function register(app: HttpTestApi): Promise<string> {
  const response = await app.post("/trpc/auth.register", { email: "metrics@example.com", password: "a long password" });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { data: { accessToken: string } } };
  return body.result.data.accessToken;
}

async function scrape(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseScrape(await response.text());
}

describe("GET /metrics over HTTP, in development and test", () => {
  let dev: HttpTestApi;
  let before: Scrape;
  let after: Scrape;
  let text: string;

  beforeAll(async () => {
    dev = await startHttpApi();
    const token = await register(dev);
    const auth = { authorization: `Bearer ${token}` };
    before = await scrape(dev.url);
    for (let i = 0; i < 3; i++) expect((await dev.get("/trpc/auth.me", undefined, auth)).status).toBe(200);
    expect((await dev.get("/trpc/auth.me")).status).toBe(401);
    expect((await dev.get("/trpc/videos.get", { id: "not-a-uuid" }, auth)).status).toBe(400);
    after = await scrape(dev.url);
    text = await (await fetch(`${dev.url}/metrics`)).text();
  });
  afterAll(() => dev?.close());

  it("serves the registry: every family with its type, and counts that move with calls", () => {
    const type = (name: string) => after.families.get(name)?.type;
    expect(type("reelbase_trpc_request_duration_seconds")).toBe("HISTOGRAM");
    expect(type("reelbase_trpc_requests_in_flight")).toBe("GAUGE");
    expect(type("reelbase_trpc_subscriptions_open")).toBe("GAUGE");
    expect(type("reelbase_jobs_started_total")).toBe("COUNTER");
    expect(type("reelbase_jobs_finished_total")).toBe("COUNTER");
    expect(type("reelbase_job_duration_seconds")).toBe("HISTOGRAM");
    expect(type("reelbase_cache_hits_total")).toBe("COUNTER");
    expect(type("reelbase_credits_charged_total")).toBe("COUNTER");
    expect(type("reelbase_webhook_deliveries_total")).toBe("COUNTER");
    expect(type("reelbase_rate_limit_rejections_total")).toBe("COUNTER");
    expect(type("reelbase_generation_provider_calls_total")).toBe("COUNTER");
    expect(type("process_cpu_seconds_total")).toBe("COUNTER");
    expect(type("nodejs_eventloop_lag_p99_seconds")).toBe("GAUGE");

    // Counted in the database on each scrape: nothing queued or running here.
    expect(after.value("reelbase_queue_jobs", { status: "QUEUED" })).toBe(0);
    expect(after.value("reelbase_queue_jobs", { status: "RUNNING" })).toBe(0);
    // The user is read by id on every authenticated call; the shared cache sees the reads the near cache lets through.
    const userReads = (s: typeof after) =>
      (s.value("reelbase_cache_hits_total", { cache: "user" }) ?? 0) +
      (s.value("reelbase_cache_misses_total", { cache: "user" }) ?? 0);
    expect(userReads(after)).toBeGreaterThanOrEqual(userReads(before));
    expect(userReads(after)).toBeGreaterThan(0);
    // No label carries an id, an email or a URL.
    expect(text).not.toContain("metrics@example.com");
    expect(text).not.toContain("not-a-uuid");
    expect(text).not.toMatch(/procedure="[^"]*\//);
  });

  it.runIf(composed)("times every tRPC call by procedure and outcome, errors included", () => {
    const count = "reelbase_trpc_request_duration_seconds_count";
    expect(after.value(count, { procedure: "auth.me", type: "query", outcome: "ok" })).toBe(3);
    expect(after.value(count, { procedure: "auth.me", outcome: "UNAUTHENTICATED" })).toBe(1);
    expect(after.value(count, { procedure: "videos.get", outcome: "VALIDATION_FAILED" })).toBe(1);
    expect(after.value(count, { procedure: "auth.register", type: "mutation", outcome: "ok" })).toBe(1);
    for (const sample of after.samples(count))
      expect(Object.keys(sample.labels).sort()).toEqual(["outcome", "procedure", "type"]);
    expect(after.value("reelbase_trpc_requests_in_flight", { type: "query" })).toBe(0);
  });
});

describe("GET /metrics over HTTP, guarded", () => {
  it("needs the bearer token when METRICS_TOKEN is set (401 without it or with another)", async () => {
    api = await startHttpApi("pglite", { METRICS_TOKEN: TOKEN });
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const scraped = await scrape(api.url, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.families.has("reelbase_trpc_request_duration_seconds")).toBe(true);
  });

  it("is absent (404) in production without a token or a port, and served there with a token", async () => {
    api = await startHttpApi("pglite", PRODUCTION);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    await api.close();
    api = await startHttpApi("pglite", { ...PRODUCTION, METRICS_TOKEN: TOKEN });
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    await scrape(api.url, { authorization: `Bearer ${TOKEN}` });
  });

  it("with METRICS_PORT is served on that port only (token still required), and the port closes on shutdown", async () => {
    api = await startHttpApi("pglite", { ...PRODUCTION, METRICS_PORT: "0", METRICS_TOKEN: TOKEN });
    const metricsUrl = api.metricsUrl;
    expect(metricsUrl).toBeDefined();
    if (!metricsUrl) return;
    expect(metricsUrl).not.toBe(api.url);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${metricsUrl}/trpc/auth.me`)).status).toBe(404);
    const scraped = await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.families.has("reelbase_queue_jobs")).toBe(true);
    await api.close();
    api = undefined;
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });

  it("METRICS=off records nothing and serves nothing", async () => {
    api = await startHttpApi("pglite", { METRICS: "off" });
    expect(api.container.get(METRICS)).toBe(noMetrics);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    expect((await api.get("/health/live")).status).toBe(200);
  });
});
