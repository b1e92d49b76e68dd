import {
  circuitBreaker,
  ConsecutiveBreaker,
  type CircuitBreakerPolicy,
  ExponentialBackoff,
  handleWhen,
  type IBackoffFactory,
  type IPolicy,
  type IRetryBackoffContext,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from "cockatiel";
import type { Logger } from "./application/logger.js";

/** The knobs of one remote dependency's resilience (object storage, the generation provider). */
export interface ResilienceOptions {
  /** Per attempt, for calls that answer with headers only. */
  timeoutMs: number;
  /** Retries after the first attempt, for transient failures only. */
  maxRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Consecutive transient failures that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  halfOpenAfterMs: number;
}

/** Socket-level failures worth another attempt (Node's and undici's codes). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export interface ResiliencePolicies {
  /** Retry around the breaker around a per-attempt timeout of `timeoutMs`. */
  bounded: IPolicy;
  /** Retry around the breaker, for transfers that bound themselves (an idle timeout). */
  unbounded: IPolicy;
  breaker: CircuitBreakerPolicy;
}

export interface ResilienceWiring {
  /** For the log lines: "object storage", "generation provider". */
  name: string;
  options: ResilienceOptions;
  /** Worth another attempt, and counted by the breaker. Anything else is an answer and passes through. */
  isTransient(error: unknown): boolean;
  logger: Logger;
  /** Log fields for a failed attempt; never a request, which may carry credentials. */
  describe(error: unknown): Record<string, unknown>;
  /** Replaces the plain exponential backoff (e.g. to honour Retry-After). */
  backoff?: IBackoffFactory<IRetryBackoffContext<unknown>>;
}

/**
 * Retry (exponential backoff) around one circuit breaker around a per-attempt timeout: the shape
 * every remote dependency shares. The breaker counts transient failures only, one per attempt;
 * once it is open the retry stops at once (a BrokenCircuitError is not transient).
 */
export function resiliencePolicies(wiring: ResilienceWiring): ResiliencePolicies {
  const { name, options, logger } = wiring;
  const transient = handleWhen(wiring.isTransient);
  const retries = retry(transient, {
    maxAttempts: options.maxRetries,
    backoff: wiring.backoff ?? new ExponentialBackoff({ initialDelay: options.initialBackoffMs, maxDelay: options.maxBackoffMs }),
  });
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  // Cooperative: the call is aborted through the signal, so no request outlives its timeout.
  // Not aborted on return: a finished request's keep-alive socket goes back to the pool intact.
  const perAttempt = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false });
  retries.onRetry((event) =>
    logger.debug(`${name} call retried`, {
      attempt: event.attempt,
      delayMs: event.delay,
      ...("error" in event ? wiring.describe(event.error) : {}),
    }),
  );
  breaker.onBreak(() => logger.warn(`${name} circuit opened: calls fail fast until a trial call succeeds`));
  breaker.onReset(() => logger.info(`${name} circuit closed`));
  return { bounded: wrap(retries, breaker, perAttempt), unbounded: wrap(retries, breaker), breaker };
}
