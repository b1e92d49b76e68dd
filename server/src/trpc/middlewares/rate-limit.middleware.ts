import { RequestMetrics } from "../../metrics/trpc-metrics.middleware.js";
import type { Caller } from "../../shared/application/caller.js";
import type { RateLimitName, RateLimitVerdict } from "../../shared/application/rate-limits.js";
import { DomainError } from "../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../shared/domain/error-codes.js";
import { addressKey, callerKey, PROCEDURE_LIMITS } from "../../rate-limit/rate-limit-keys.js";
import type { Context, ResponseMeta } from "../context.js";
import { t } from "../trpc.js";

/**
 * Spends one point of the caller's budget (a signed-in user, or one API key) or, for a call
 * without a caller, of its address's, then one of the procedure's own budget if it has one
 * (PROCEDURE_LIMITS). A refusal is 429 `RATE_LIMITED` with Retry-After and RateLimit-* headers and
 * `retryAfterSeconds` in the error's data. Used by the public procedures and, after authentication,
 * by the authenticated ones; a call whose credentials are refused spends its address's point in
 * the authentication middleware (`limitUnauthenticated`).
 */
export const rateLimitMiddleware = t.middleware(async ({ ctx, path, getRawInput, next }) => {
  const caller = (ctx as Partial<{ caller: Caller }>).caller;
  if (caller) await spend(ctx, "caller", callerKey(caller));
  else await spend(ctx, "ip", addressKey(ctx.ip));
  await spendProcedureBudget(ctx, path, caller, getRawInput);
  return next();
});

/** For a call that turned out to have no valid credentials: its address pays. */
export async function limitUnauthenticated(ctx: Context): Promise<void> {
  await spend(ctx, "ip", addressKey(ctx.ip));
}

async function spendProcedureBudget(
  ctx: Context,
  path: string,
  caller: Caller | undefined,
  getRawInput: () => Promise<unknown>,
): Promise<void> {
  const own = PROCEDURE_LIMITS[path];
  if (!own) return;
  const key = own.key({ ip: ctx.ip, caller }, own.limit === "login" ? await getRawInput().catch(() => undefined) : undefined);
  if (key !== undefined) await spend(ctx, own.limit, key);
}

async function spend(ctx: Context, limit: RateLimitName, key: string): Promise<void> {
  const verdict = await ctx.rateLimits.consume(limit, key);
  if (verdict.allowed) return;
  ctx.resolve(RequestMetrics).metrics.rateLimited(limit);
  setLimitHeaders(ctx.response, verdict);
  throw new DomainError(ErrorCodes.RATE_LIMITED, "RATE_LIMITED", `Too many requests: try again in ${verdict.resetSeconds} s`, {
    limit,
    retryAfterSeconds: verdict.resetSeconds,
  });
}

/** When several calls of one batch are refused, the headers name the longest wait. */
export function setLimitHeaders(response: ResponseMeta, verdict: RateLimitVerdict): void {
  const current = Number(response.headers["retry-after"] ?? 0);
  if (current >= verdict.resetSeconds) return;
  response.headers["retry-after"] = String(verdict.resetSeconds);
  response.headers["ratelimit-limit"] = String(verdict.limit);
  response.headers["ratelimit-remaining"] = String(verdict.remaining);
  response.headers["ratelimit-reset"] = String(verdict.resetSeconds);
}
