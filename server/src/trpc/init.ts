import { initTRPC, TRPCError } from "@trpc/server";
import { AuthenticateUseCase } from "../modules/identity/application/authenticate.use-case.js";
import type { Caller } from "../shared/application/caller.js";
import { IdentityErrors } from "../modules/identity/domain/identity.errors.js";
import type { ApiKeyScope } from "../shared/domain/roles.js";
import { DomainError } from "../shared/domain/domain-error.js";
import { currentRequestContext, runProcedureInContext, setContextUser } from "../shared/request-context.js";
import type { Context } from "./context.js";
import { detailsOf, errorCodeOf, fieldErrorsOf, toTRPCError } from "./error-mapping.js";

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const expose = ctx?.exposeErrorDetails ?? false;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const fieldErrors = fieldErrorsOf(error);
    return {
      code: shape.code,
      message: internal && !expose ? "Internal server error" : fieldErrors ? "Invalid input" : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path ?? null,
        errorCode: errorCodeOf(error),
        correlationId: ctx?.requestId ?? currentRequestContext()?.correlationId ?? null,
        ...(fieldErrors ? { fieldErrors } : {}),
        ...detailsOf(error),
        // A 4xx is the caller's mistake; its stack would show only where it was translated.
        ...(expose && internal && shape.data.stack ? { stack: shape.data.stack } : {}),
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

const baseProcedure = t.procedure.use(({ path, next }) =>
  runProcedureInContext(path, async () => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof DomainError) throw toTRPCError(result.error.cause);
    return result;
  }),
);

export const publicProcedure = baseProcedure;

/** A user by session or by API key; an API key must carry `scope` when one is given. */
function authenticated(scope?: ApiKeyScope) {
  return baseProcedure.use(async ({ ctx, next }) => {
    if (!ctx.authorization) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Authentication required" });
    }
    const caller: Caller = await ctx.resolve(AuthenticateUseCase).execute(ctx.authorization, scope);
    setContextUser(caller.userId);
    return next({ ctx: { caller } });
  });
}

/** A user by session or by API key (any scope). Most procedures want one of the narrower ones below. */
export const authedProcedure = authenticated();

/** A signed-in user. API keys never reach auth.*, users.*, apiKeys.* or admin.*. */
export const userProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.via !== "session") throw IdentityErrors.apiKeyNotAllowed();
  return next({ ctx: { caller: ctx.caller } });
});

export const adminProcedure = userProcedure.use(({ ctx, next }) => {
  if (ctx.caller.role !== "ADMIN") throw IdentityErrors.adminRequired();
  return next();
});

/** A signed-in user (any scope) or an API key carrying `scope`. */
export function scopedProcedure(scope: ApiKeyScope) {
  return authenticated(scope);
}
