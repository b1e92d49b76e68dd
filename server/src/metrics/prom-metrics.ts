import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BreakerState, JobOutcome, Metrics } from "../shared/application/metrics.js";

/** Jobs waiting or running, counted when scraped; undefined when the count could not be taken. */
export type QueueDepth = () => Promise<Partial<Record<QueueDepthState, number>> | undefined>;
export const QUEUE_DEPTH_STATES = ["QUEUED", "RUNNING"] as const;
export type QueueDepthState = (typeof QUEUE_DEPTH_STATES)[number];

const BREAKER_STATES: readonly BreakerState[] = ["closed", "open", "half_open"];
/** Requests: a cache hit is ~1 ms, a login ~50 ms, an upload check seconds. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Jobs: a short transcode takes seconds, a long generation many minutes. */
const JOB_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface PromMetricsOptions {
  queueDepth?: QueueDepth;
  /** The default process metrics (CPU, memory, event loop lag, GC); off in tests that build many. */
  defaultMetrics?: boolean;
}

/**
 * The Metrics port over prom-client, on a registry of its own (never the global one: a second
 * container in one process, as tests build, would find every name taken).
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<"procedure" | "type" | "outcome">;
  private readonly inFlight: Gauge<"type">;
  private readonly subscriptions: Gauge<"procedure">;
  private readonly jobsStarted: Counter<"type">;
  private readonly jobsFinished: Counter<"type" | "outcome">;
  private readonly jobDuration: Histogram<"type" | "outcome">;
  private readonly cacheHits: Counter<"cache">;
  private readonly cacheMisses: Counter<"cache">;
  private readonly charged: Counter;
  private readonly refunded: Counter;
  private readonly webhooks: Counter<"outcome">;
  private readonly rateLimits: Counter<"limit">;
  private readonly providerCalls: Counter<"outcome">;
  private readonly breaker: Gauge<"state">;

  constructor(options: PromMetricsOptions = {}) {
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: "reelbase_trpc_request_duration_seconds",
      help: "tRPC calls by procedure path and outcome (ok or the error code); a subscription until its stream is set up.",
      labelNames: ["procedure", "type", "outcome"],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({
      name: "reelbase_trpc_requests_in_flight",
      help: "tRPC calls being answered now.",
      labelNames: ["type"],
      registers,
    });
    this.subscriptions = new Gauge({
      name: "reelbase_trpc_subscriptions_open",
      help: "Subscription streams (SSE) open now.",
      labelNames: ["procedure"],
      registers,
    });
    this.jobsStarted = new Counter({
      name: "reelbase_jobs_started_total",
      help: "Job runs started (each attempt), by job type.",
      labelNames: ["type"],
      registers,
    });
    this.jobsFinished = new Counter({
      name: "reelbase_jobs_finished_total",
      help: "Job runs ended, by job type and outcome.",
      labelNames: ["type", "outcome"],
      registers,
    });
    this.jobDuration = new Histogram({
      name: "reelbase_job_duration_seconds",
      help: "How long a job run took, by job type and outcome.",
      labelNames: ["type", "outcome"],
      buckets: JOB_BUCKETS,
      registers,
    });
    const queueDepth = options.queueDepth;
    new Gauge({
      name: "reelbase_queue_jobs",
      help: "Jobs waiting (QUEUED) or being run (RUNNING), counted in the database when scraped.",
      labelNames: ["status"],
      registers,
      async collect() {
        if (!queueDepth) return;
        const counts = await queueDepth();
        // A failed count leaves the last values: a scrape must not fail because the database is down.
        if (!counts) return;
        for (const status of QUEUE_DEPTH_STATES) this.set({ status }, counts[status] ?? 0);
      },
    });
    this.cacheHits = new Counter({
      name: "reelbase_cache_hits_total",
      help: "Reads answered by the shared cache, by cache.",
      labelNames: ["cache"],
      registers,
    });
    this.cacheMisses = new Counter({
      name: "reelbase_cache_misses_total",
      help: "Reads the shared cache could not answer (they went to the database), by cache.",
      labelNames: ["cache"],
      registers,
    });
    this.charged = new Counter({ name: "reelbase_credits_charged_total", help: "Credits charged for jobs.", registers });
    this.refunded = new Counter({ name: "reelbase_credits_refunded_total", help: "Credits given back for jobs.", registers });
    this.webhooks = new Counter({
      name: "reelbase_webhook_deliveries_total",
      help: "Webhook delivery attempts, by outcome.",
      labelNames: ["outcome"],
      registers,
    });
    this.rateLimits = new Counter({
      name: "reelbase_rate_limit_rejections_total",
      help: "Calls refused with 429, by the limit that refused them.",
      labelNames: ["limit"],
      registers,
    });
    this.providerCalls = new Counter({
      name: "reelbase_generation_provider_calls_total",
      help: "Attempts at the remote generation provider, by outcome.",
      labelNames: ["outcome"],
      registers,
    });
    this.breaker = new Gauge({
      name: "reelbase_generation_provider_breaker_state",
      help: "The generation provider's circuit in this process: 1 for its current state, 0 for the others.",
      labelNames: ["state"],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  requestFinished(procedure: string, type: string, outcome: string, seconds: number): void {
    this.requestDuration.observe({ procedure, type, outcome }, seconds);
  }

  requestStarted(type: string): void {
    this.inFlight.inc({ type });
  }

  requestEnded(type: string): void {
    this.inFlight.dec({ type });
  }

  subscriptionOpened(procedure: string): void {
    this.subscriptions.inc({ procedure });
  }

  subscriptionClosed(procedure: string): void {
    this.subscriptions.dec({ procedure });
  }

  jobStarted(type: string): void {
    this.jobsStarted.inc({ type });
  }

  jobFinished(type: string, outcome: JobOutcome, seconds: number): void {
    this.jobsFinished.inc({ type, outcome });
    this.jobDuration.observe({ type, outcome }, seconds);
  }

  cacheHit(cache: string): void {
    this.cacheHits.inc({ cache });
  }

  cacheMiss(cache: string): void {
    this.cacheMisses.inc({ cache });
  }

  creditsCharged(amount: number): void {
    if (amount > 0) this.charged.inc(amount);
  }

  creditsRefunded(amount: number): void {
    if (amount > 0) this.refunded.inc(amount);
  }

  webhookDelivered(outcome: string): void {
    this.webhooks.inc({ outcome });
  }

  rateLimited(limit: string): void {
    this.rateLimits.inc({ limit });
  }

  providerCall(outcome: string): void {
    this.providerCalls.inc({ outcome });
  }

  providerBreakerState(state: BreakerState): void {
    for (const each of BREAKER_STATES) this.breaker.set({ state: each }, each === state ? 1 : 0);
  }
}
