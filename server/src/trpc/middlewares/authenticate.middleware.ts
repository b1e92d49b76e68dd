import { TRPCError } from "@trpc/server";
import { AuthenticateUseCase } from "../../modules/identity/application/authenticate.use-case.js";
import type { Caller } from "../../shared/application/caller.js";
import { DomainError } from "../../shared/domain/domain-error.js";
import type { ApiKeyScope } from "../../shared/domain/roles.js";
import { setContextUser } from "../../shared/request-context.js";
import { t } from "../trpc.js";
import { limitUnauthenticated } from "./rate-limit.middleware.js";

/**
 * A user by session or by API key; an API key must carry `scope` when one is given. A call with no
 * or bad credentials spends its address's rate-limit point before it is refused, so guessing
 * tokens is limited like any unauthenticated traffic.
 */
export function authenticateMiddleware(scope?: ApiKeyScope) {
  return t.middleware(async ({ ctx, next }) => {
    if (!ctx.authorization) {
      await limitUnauthenticated(ctx);
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Authentication required" });
    }
    let caller: Caller;
    try {
      caller = await ctx.resolve(AuthenticateUseCase).execute(ctx.authorization, scope);
    } catch (error) {
      // A key without the scope is authenticated (403): only refused credentials spend the address's point.
      if (error instanceof DomainError && error.kind === "UNAUTHENTICATED") await limitUnauthenticated(ctx);
      throw error;
    }
    setContextUser(caller.userId);
    return next({ ctx: { caller } });
  });
}
