import { isBrokenCircuitError } from "cockatiel";
import { generationFailed, generationUnavailable } from "../../shared/application/generation-provider.js";
import type { Logger } from "../../shared/application/logger.js";
import { DomainError } from "../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../shared/domain/error-codes.js";
import { NETWORK_ERROR_CODES } from "../../shared/resilience.js";
import { isSsrfRefusal } from "../../net/ssrf-guard.js";
import type { Redactor } from "./redactor.js";

/** A non-2xx answer. Transient for 5xx, 408 and 429; any other status is the provider's final word. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`the provider answered ${status}${reason ? `: ${reason}` : ""}`);
    this.name = "ProviderHttpError";
  }
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** One attempt ran past its timeout (or a download went silent). */
export class ProviderTimeoutError extends Error {
  constructor() {
    super("the provider did not answer in time");
    this.name = "ProviderTimeoutError";
  }
}

/** The provider kept the video in queued/processing for longer than maxWaitMs. */
export class OverdueError extends Error {
  constructor(maxWaitMs: number) {
    super(`The generation provider did not finish within ${Math.round(maxWaitMs / 1000)} s; the job will be retried`);
    this.name = "OverdueError";
  }
}

/** `run.signal` aborted: the caller cancelled or is shutting down. Carries the signal's reason. */
export class GenerationCancelledError extends Error {
  constructor(cause: unknown) {
    super("generation cancelled", { cause });
    this.name = "GenerationCancelledError";
  }
}

/** Worth another attempt, and counted by the breaker: 5xx/408/429, timeouts, socket trouble. */
export function isTransientGenerationError(error: unknown): boolean {
  if (error instanceof ProviderHttpError) return error.transient;
  if (error instanceof ProviderTimeoutError) return true;
  if (!(error instanceof Error) || error instanceof DomainError || error instanceof GenerationCancelledError) return false;
  if (isBrokenCircuitError(error) || isSsrfRefusal(error)) return false;
  // fetch reports socket trouble as TypeError("fetch failed") with the system error as its cause.
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
    current = current.cause;
  }
  return error instanceof TypeError && error.message === "fetch failed";
}

/** What the job sees of a failed generation: permanent for the provider's final word, else transient. */
export function translateProviderError(error: unknown, redactor: Redactor, logger: Logger): DomainError {
  if (error instanceof DomainError) return error;
  if (isBrokenCircuitError(error)) return generationUnavailable();
  if (error instanceof ProviderHttpError && !error.transient) return generationFailed(redactor.scrub(error.message));
  if (isSsrfRefusal(error)) return generationFailed("the result URL points at an address that is not public");
  if (error instanceof OverdueError) {
    return new DomainError(ErrorCodes.DEPENDENCY_UNAVAILABLE, "UNAVAILABLE", redactor.scrub(error.message), { permanent: false });
  }
  logger.warn("generation provider call failed", redactor.describeError(error));
  const reason =
    error instanceof ProviderHttpError
      ? `it answered ${error.status}`
      : error instanceof ProviderTimeoutError
        ? "it did not answer in time"
        : "it could not be reached";
  return new DomainError(
    ErrorCodes.DEPENDENCY_UNAVAILABLE,
    "UNAVAILABLE",
    `The generation provider failed (${reason}); the job will be retried`,
    { permanent: false },
  );
}

/** `promise`, or a GenerationCancelledError as soon as `signal` aborts (the promise is left to settle alone). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new GenerationCancelledError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new GenerationCancelledError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
