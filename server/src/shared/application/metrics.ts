/**
 * What the application records for operators (docs/metrics.md names every series). Callers pass
 * bounded values only: a procedure path, a job type, an error code, a limit's name — never a URL,
 * an id or anything a client chose. Implementations never throw.
 */
export interface Metrics {
  /** One tRPC call ended (a subscription: its stream was set up): `outcome` is `ok` or the error code. */
  requestFinished(procedure: string, type: string, outcome: string, seconds: number): void;
  requestStarted(type: string): void;
  requestEnded(type: string): void;
  subscriptionOpened(procedure: string): void;
  subscriptionClosed(procedure: string): void;

  jobStarted(type: string): void;
  /** `outcome`: succeeded, failed (for good), retry (a failed attempt that runs again), cancelled, requeued (shutdown). */
  jobFinished(type: string, outcome: JobOutcome, seconds: number): void;

  cacheHit(cache: string): void;
  cacheMiss(cache: string): void;

  creditsCharged(amount: number): void;
  creditsRefunded(amount: number): void;

  /** A webhook delivery attempt ended: `delivered`, `failed` (will retry), `gave_up`. */
  webhookDelivered(outcome: string): void;

  /** A call refused with 429 by the named limit (e.g. `login`, `ip`). */
  rateLimited(limit: string): void;

  /** One attempt at the generation provider: `ok`, `http_4xx`, `http_5xx`, `timeout`, `error`, `cancelled`. */
  providerCall(outcome: string): void;
  providerBreakerState(state: BreakerState): void;
}

export type JobOutcome = "succeeded" | "failed" | "retry" | "cancelled" | "requeued";
export type BreakerState = "closed" | "open" | "half_open";

export const METRICS = Symbol.for("Metrics");

const ignore = (): void => {};

/** Records nothing: `METRICS=off`, and code built outside a container (unit tests). */
export const noMetrics: Metrics = {
  requestFinished: ignore,
  requestStarted: ignore,
  requestEnded: ignore,
  subscriptionOpened: ignore,
  subscriptionClosed: ignore,
  jobStarted: ignore,
  jobFinished: ignore,
  cacheHit: ignore,
  cacheMiss: ignore,
  creditsCharged: ignore,
  creditsRefunded: ignore,
  webhookDelivered: ignore,
  rateLimited: ignore,
  providerCall: ignore,
  providerBreakerState: ignore,
};
