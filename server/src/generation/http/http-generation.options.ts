import type { Cache } from "../../shared/application/cache.js";
import type { Logger } from "../../shared/application/logger.js";
import { noMetrics, type Metrics } from "../../shared/application/metrics.js";
import type { ResilienceOptions } from "../../shared/resilience.js";

export interface HttpGenerationOptions extends ResilienceOptions {
  /** The provider's base URL; `/v1/videos` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`, and only to the provider's own origin. Never logged, never in an error. */
  apiKey: string;
  /** Pause between status polls. */
  pollIntervalMs: number;
  /** Largest result accepted; a larger one fails the generation for good. */
  maxResultBytes: number;
  /** Longest one provider video may take from creation to `completed`; then the attempt is given up (transient). */
  maxWaitMs: number;
  /** Longest Retry-After honoured; a longer one is cut to this. */
  maxRetryAfterMs: number;
  /** Where the breaker's open state is shared with the other processes. */
  cache: Cache;
  /** The cache key holding the shared open state. */
  breakerKey: string;
  /** Result hosts fetched without the public-address check (a test's receiver). The provider's own origin always is. */
  resultAllowHosts: readonly string[];
  logger: Logger;
  /** Each attempt's outcome and the breaker's state. */
  metrics: Metrics;
}

export const DEFAULT_HTTP_GENERATION: Omit<HttpGenerationOptions, "baseUrl" | "apiKey" | "cache" | "logger"> = {
  timeoutMs: 15_000,
  maxRetries: 3,
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  pollIntervalMs: 2_000,
  maxResultBytes: 2 * 1024 ** 3,
  maxWaitMs: 60 * 60_000,
  maxRetryAfterMs: 30_000,
  breakerKey: "generation:breaker-open",
  resultAllowHosts: [],
  metrics: noMetrics,
};
