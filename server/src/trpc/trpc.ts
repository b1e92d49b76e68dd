import { initTRPC } from "@trpc/server";
import { DomainError } from "../shared/domain/domain-error.js";
import { currentRequestContext } from "../shared/request-context.js";
import type { Context } from "./context.js";
import { detailsOf, errorCodeOf, fieldErrorsOf } from "./error-mapping.js";
import type { ProcedureMeta } from "./init.js";

/** Every procedure's meta is a ProcedureMeta (init.ts): its access, and its deprecation if any. */
const withMeta = initTRPC.context<Context>().meta<ProcedureMeta>();

/**
 * The one tRPC instance. Kept apart from init.ts so the middlewares in ./middlewares/ can be built
 * on it while init.ts composes them into the base procedures.
 */
export const t = withMeta.create({
  errorFormatter({ shape, error, ctx }) {
    const expose = ctx?.exposeErrorDetails ?? false;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const fieldErrors = fieldErrorsOf(error);
    const retryAfterSeconds = retryAfterSecondsOf(error.cause);
    return {
      code: shape.code,
      message:
        internal && !expose
          ? "Internal server error"
          : fieldErrors && !(error.cause instanceof DomainError)
            ? "Invalid input"
            : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path ?? null,
        errorCode: errorCodeOf(error),
        correlationId: ctx?.requestId ?? currentRequestContext()?.correlationId ?? null,
        ...(fieldErrors ? { fieldErrors } : {}),
        ...detailsOf(error),
        // In the body too, so each refused call of a batch says when to come back.
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        // A 4xx is the caller's mistake; its stack would show only where it was translated.
        ...(expose && internal && shape.data.stack ? { stack: shape.data.stack } : {}),
      },
    };
  },
});

function retryAfterSecondsOf(cause: unknown): number | undefined {
  if (!(cause instanceof DomainError) || cause.kind !== "RATE_LIMITED") return undefined;
  const seconds = cause.details?.retryAfterSeconds;
  return typeof seconds === "number" ? seconds : undefined;
}
