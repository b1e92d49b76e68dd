import { readFileSync } from "node:fs";
import { initTRPC, TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { PromMetrics } from "../../server/src/metrics/prom-metrics.js";
import { metricsMiddleware, RequestMetrics } from "../../server/src/metrics/trpc-metrics.middleware.js";
import { noMetrics } from "../../server/src/shared/application/metrics.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import type { Context } from "../../server/src/trpc/context.js";
import { parseScrape } from "../support/prometheus.js";

const docs = readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");
const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8")) as {
  panels: { type: string; targets?: { expr: string }[] }[];
};

const METRIC_NAME = /\b(?:reelbase|process|nodejs)_[a-z0-9_]+/g;

/** The metric names in the tables of docs/metrics.md (first column). */
function documented(): Set<string> {
  const names = new Set<string>();
  for (const line of docs.split("\n")) {
    const cell = /^\|\s*`([a-z0-9_]+)`\s*\|/.exec(line);
    if (cell?.[1]) names.add(cell[1]);
  }
  return names;
}

/** The metric names the dashboard's PromQL reads, with a histogram's _bucket/_count/_sum folded into its name. */
function charted(): Set<string> {
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      for (const [name] of target.expr.matchAll(METRIC_NAME)) names.add(name.replace(/_(bucket|count|sum)$/, ""));
    }
  }
  return names;
}

/** A router of its own, composed as trpc/init.ts composes the middleware. */
function testRouter() {
  const t = initTRPC.context<Context>().create();
  const procedure = t.procedure.use(metricsMiddleware);
  return t.router({
    videos: t.router({
      get: procedure.query(() => "a video"),
      missing: procedure.query(() => {
        throw new TRPCError({ code: "NOT_FOUND" });
      }),
      rule: procedure.mutation(() => {
        throw new DomainError("INSUFFICIENT_CREDITS", "BUSINESS_RULE", "Not enough credits");
      }),
    }),
    jobs: t.router({
      onProgress: procedure.subscription(async function* () {
        yield 1;
        yield 2;
        await new Promise(() => {}); // waits like a watcher with nothing new to say
      }),
    }),
  });
}

function callerWith(metrics: PromMetrics) {
  const requestMetrics = new RequestMetrics(metrics);
  const ctx = {
    requestId: "r",
    ip: null,
    authorization: null,
    exposeErrorDetails: false,
    resolve: () => requestMetrics,
  } as unknown as Context;
  return initTRPC.context<Context>().create().createCallerFactory(testRouter())(ctx);
}

describe("metrics", () => {
  it("docs/metrics.md lists every metric the registry defines, and the dashboard charts each listed one and no other", async () => {
    const registered = (await new PromMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name);
    const listed = documented();
    const ours = [...listed].filter((name) => name.startsWith("reelbase_")).sort();
    expect(ours).toEqual(registered.filter((name) => name.startsWith("reelbase_")).sort());
    // The process metrics listed are prom-client defaults this registry really has.
    for (const name of listed) expect(registered).toContain(name);
    expect([...charted()].sort()).toEqual([...listed].sort());
  });

  it("the dashboard is a Grafana dashboard over a Prometheus data source variable", () => {
    const json = dashboard as unknown as Record<string, unknown>;
    expect(json).toMatchObject({ title: "Reelbase", uid: "reelbase-overview" });
    expect(JSON.stringify(json.templating)).toContain('"type":"datasource"');
    for (const panel of dashboard.panels.filter((each) => each.type !== "row")) expect(panel.targets?.length).toBeGreaterThan(0);
  });

  it("times calls by procedure and outcome (ok or the client's errorCode) and counts them in flight", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    const caller = callerWith(metrics);
    await caller.videos.get();
    await caller.videos.get();
    await expect(caller.videos.missing()).rejects.toThrow();
    await expect(caller.videos.rule()).rejects.toThrow();

    const scrape = parseScrape(await metrics.scrape());
    expect(scrape.families.get("reelbase_trpc_request_duration_seconds")?.type).toBe("HISTOGRAM");
    const count = "reelbase_trpc_request_duration_seconds_count";
    expect(scrape.value(count, { procedure: "videos.get", type: "query", outcome: "ok" })).toBe(2);
    expect(scrape.value(count, { procedure: "videos.missing", outcome: "NOT_FOUND" })).toBe(1);
    expect(scrape.value(count, { procedure: "videos.rule", type: "mutation", outcome: "INSUFFICIENT_CREDITS" })).toBe(1);
    for (const sample of scrape.samples(count))
      expect(Object.keys(sample.labels).sort()).toEqual(["outcome", "procedure", "type"]);
    expect(scrape.value("reelbase_trpc_requests_in_flight", { type: "query" })).toBe(0);
  });

  it("counts a subscription's stream open from the first read until the reader lets go", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    const stream = await callerWith(metrics).jobs.onProgress();
    const open = async () =>
      parseScrape(await metrics.scrape()).value("reelbase_trpc_subscriptions_open", { procedure: "jobs.onProgress" }) ?? 0;
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    expect(await open()).toBe(1);
    await iterator.next();
    // The source now waits forever: letting go must not wait for its next event.
    await iterator.return?.();
    expect(await open()).toBe(0);
    const scrape = parseScrape(await metrics.scrape());
    expect(
      scrape.value("reelbase_trpc_request_duration_seconds_count", { procedure: "jobs.onProgress", type: "subscription" }),
    ).toBe(1);
  });

  it("records the application's events under bounded labels", async () => {
    const metrics = new PromMetrics({
      defaultMetrics: false,
      queueDepth: async () => ({ QUEUED: 3 }),
    });
    metrics.jobStarted("TRANSCODE");
    metrics.jobFinished("TRANSCODE", "succeeded", 2);
    metrics.cacheHit("user");
    metrics.cacheMiss("user");
    metrics.cacheMiss("user");
    metrics.creditsCharged(4);
    metrics.creditsRefunded(2);
    metrics.rateLimited("login");
    metrics.providerCall("http_5xx");
    metrics.providerBreakerState("open");

    const scrape = parseScrape(await metrics.scrape());
    expect(scrape.value("reelbase_jobs_started_total", { type: "TRANSCODE" })).toBe(1);
    expect(scrape.value("reelbase_jobs_finished_total", { type: "TRANSCODE", outcome: "succeeded" })).toBe(1);
    expect(scrape.value("reelbase_job_duration_seconds_sum", { type: "TRANSCODE" })).toBe(2);
    expect(scrape.value("reelbase_queue_jobs", { status: "QUEUED" })).toBe(3);
    expect(scrape.value("reelbase_queue_jobs", { status: "RUNNING" })).toBe(0);
    expect(scrape.value("reelbase_cache_hits_total", { cache: "user" })).toBe(1);
    expect(scrape.value("reelbase_cache_misses_total", { cache: "user" })).toBe(2);
    expect(scrape.value("reelbase_credits_charged_total")).toBe(4);
    expect(scrape.value("reelbase_credits_refunded_total")).toBe(2);
    expect(scrape.value("reelbase_rate_limit_rejections_total", { limit: "login" })).toBe(1);
    expect(scrape.value("reelbase_generation_provider_calls_total", { outcome: "http_5xx" })).toBe(1);
    expect(scrape.value("reelbase_generation_provider_breaker_state", { state: "open" })).toBe(1);
    expect(scrape.value("reelbase_generation_provider_breaker_state", { state: "closed" })).toBe(0);
    expect(scrape.families.get("reelbase_webhook_deliveries_total")).toMatchObject({ type: "COUNTER", metrics: [] });
  });

  it("two registries in one process do not collide, and the no-op port has every method", () => {
    expect(() => [new PromMetrics(), new PromMetrics()]).not.toThrow();
    const methods = Object.getOwnPropertyNames(PromMetrics.prototype).filter(
      (name) => name !== "constructor" && name !== "scrape" && name !== "contentType",
    );
    expect(Object.keys(noMetrics).sort()).toEqual(methods.sort());
  });
});
