import { isBrokenCircuitError, type IPolicy } from "cockatiel";
import { DomainError } from "../shared/domain/domain-error.js";
import type { Logger } from "../shared/application/logger.js";
import { NETWORK_ERROR_CODES, resiliencePolicies, type ResilienceOptions } from "../shared/resilience.js";
import { StorageErrors } from "./storage-errors.js";

export type StorageResilienceOptions = ResilienceOptions;

export const DEFAULT_STORAGE_RESILIENCE: StorageResilienceOptions = {
  timeoutMs: 10_000,
  maxRetries: 2,
  initialBackoffMs: 200,
  maxBackoffMs: 2_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
};

/** S3 error names that mean "slow down" or "try again" even without a 5xx status. */
const TRANSIENT_NAMES = new Set([
  "AbortError",
  "TimeoutError",
  "TaskCancelledError",
  "IdleTimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "InternalError",
  "ServiceUnavailable",
]);

/**
 * Worth another attempt: 5xx, 429, throttling, timeouts and network failures. A 4xx (NotFound,
 * AccessDenied, NoSuchBucket) is an answer, not an outage: never retried, never counted by the breaker.
 */
export function isTransientStorageError(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof DomainError || isBrokenCircuitError(error)) return false;
  const fields = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  const status = typeof fields.$metadata?.httpStatusCode === "number" ? fields.$metadata.httpStatusCode : undefined;
  if (status !== undefined) return status >= 500 || status === 429 || TRANSIENT_NAMES.has(error.name);
  return (
    TRANSIENT_NAMES.has(error.name) ||
    Boolean(fields.$retryable) ||
    (typeof fields.code === "string" && NETWORK_ERROR_CODES.has(fields.code))
  );
}

/**
 * Retry (exponential backoff) around a shared circuit breaker around a per-attempt timeout.
 * Whatever escapes is a DomainError with a fixed message: the SDK's own text, which may name the
 * bucket or endpoint, goes to the log only.
 */
export class StorageResilience {
  readonly options: StorageResilienceOptions;
  private readonly bounded: IPolicy;
  private readonly unbounded: IPolicy;

  constructor(
    options: Partial<StorageResilienceOptions>,
    private readonly logger: Logger,
  ) {
    this.options = { ...DEFAULT_STORAGE_RESILIENCE, ...options };
    ({ bounded: this.bounded, unbounded: this.unbounded } = resiliencePolicies({
      name: "object storage",
      options: this.options,
      isTransient: isTransientStorageError,
      logger,
      describe,
    }));
  }

  /** For calls bounded by `timeoutMs` per attempt; `fn` must pass the signal to the SDK. */
  async run<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.bounded.execute(({ signal }) => fn(signal));
    } catch (error) {
      throw this.translate(operation, error);
    }
  }

  /** For transfers that may legitimately take longer than `timeoutMs`; `fn` bounds itself (e.g. an idle timeout). */
  async runUnbounded<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.unbounded.execute(() => fn());
    } catch (error) {
      throw this.translate(operation, error);
    }
  }

  private translate(operation: string, error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (isBrokenCircuitError(error)) return StorageErrors.unavailable();
    this.logger.warn("object storage call failed", { operation, ...describe(error) });
    return StorageErrors.failed();
  }
}

/** Name, code, status and message for the log; never the request, which carries signed headers. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return {};
  const fields = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return { errorName: error.name, errorCode: fields.code, httpStatus: fields.$metadata?.httpStatusCode, message: error.message };
}
