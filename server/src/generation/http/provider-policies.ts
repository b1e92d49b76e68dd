import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";
import { resiliencePolicies, type ResiliencePolicies } from "../../shared/resilience.js";
import type { HttpGenerationOptions } from "./http-generation.options.js";
import { isTransientGenerationError, ProviderHttpError } from "./provider-errors.js";
import type { Redactor } from "./redactor.js";

/** Retry → circuit breaker → timeout for every provider call, backing off as the provider asks. */
export function providerPolicies(options: HttpGenerationOptions, redactor: Redactor): ResiliencePolicies {
  return resiliencePolicies({
    name: "generation provider",
    options,
    isTransient: isTransientGenerationError,
    logger: options.logger,
    describe: (error) => redactor.describeError(error),
    backoff: providerBackoff(options),
  });
}

/** Retry-After (bounded by maxRetryAfterMs) when the provider sent one, else exponential backoff with jitter. */
function providerBackoff(
  options: Pick<HttpGenerationOptions, "initialBackoffMs" | "maxBackoffMs" | "maxRetryAfterMs">,
): IBackoffFactory<IRetryBackoffContext<unknown>> {
  const { initialBackoffMs, maxBackoffMs, maxRetryAfterMs } = options;
  const make = (context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
    const error = "error" in context.result ? context.result.error : undefined;
    const exponential = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.max(0, context.attempt - 1));
    const duration =
      error instanceof ProviderHttpError && error.retryAfterMs !== undefined
        ? Math.min(maxRetryAfterMs, error.retryAfterMs)
        : exponential * (0.8 + Math.random() * 0.4);
    return { duration, next: make };
  };
  return { next: make };
}
