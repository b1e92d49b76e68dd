import { initTRPC } from "@trpc/server";
import { inject, injectable } from "inversify";
import { METRICS, type Metrics } from "../shared/application/metrics.js";
import type { Context } from "../trpc/context.js";
import { errorCodeOf } from "../trpc/error-mapping.js";

/** The Metrics port as the context's `resolve` can reach it (it resolves classes, not tokens). */
@injectable()
export class RequestMetrics {
  constructor(@inject(METRICS) readonly metrics: Metrics) {}
}

const t = initTRPC.context<Context>().create();

/**
 * Times every call by procedure path and outcome (`ok`, or the errorCode the client sees: a
 * bounded set, never a message or an id), counts the calls in flight, and for a subscription
 * counts its stream as open from the first read until it ends, however it ends.
 *
 * Compose it first, so it also sees calls refused by the middlewares after it (authentication,
 * rate limits, input validation). `await next()` never throws: a failure comes back as a result.
 */
export const metricsMiddleware = t.middleware(async ({ ctx, path, type, next }) => {
  const { metrics } = ctx.resolve(RequestMetrics);
  const started = performance.now();
  metrics.requestStarted(type);
  try {
    const result = await next();
    const outcome = result.ok ? "ok" : errorCodeOf(result.error);
    metrics.requestFinished(path, type, outcome, (performance.now() - started) / 1000);
    if (result.ok && type === "subscription" && isAsyncIterable(result.data)) {
      return { ...result, data: countedStream(result.data, path, metrics) };
    }
    return result;
  } finally {
    metrics.requestEnded(type);
  }
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * The same stream, counted open while a reader holds it. A plain iterator rather than an async
 * generator: a generator's return() waits behind a pending next(), so a client that went away
 * would be counted until the next event.
 */
function countedStream<T>(source: AsyncIterable<T>, procedure: string, metrics: Metrics): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = source[Symbol.asyncIterator]();
      let open = true;
      metrics.subscriptionOpened(procedure);
      const close = () => {
        if (!open) return;
        open = false;
        metrics.subscriptionClosed(procedure);
      };
      return {
        async next() {
          try {
            const step = await inner.next();
            if (step.done) close();
            return step;
          } catch (error) {
            close();
            throw error;
          }
        },
        async return(value?: unknown) {
          close();
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
        async throw(error?: unknown) {
          close();
          if (inner.throw) return inner.throw(error);
          throw error;
        },
      };
    },
  };
}
