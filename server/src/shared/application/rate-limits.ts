/**
 * Budgets of calls per key and window. Each limit has its own budget per key: `caller` (a user by
 * session, or one API key), `ip` (unauthenticated calls from one address), `login` (one address and
 * one email), `register` (one address), `upload` (one user's new uploads).
 */
export const RATE_LIMIT_NAMES = ["caller", "ip", "login", "register", "upload"] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

export interface RateLimitRule {
  points: number;
  windowSeconds: number;
}

/** What a consumed point says: allowed or not, and the numbers the RateLimit-* headers carry. */
export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the budget is whole again. */
  resetSeconds: number;
}

/**
 * Never throws: a store that fails (Redis down) answers from an in-memory budget instead, so an
 * outage of the store is never an error for the caller.
 */
export interface RateLimits {
  consume(limit: RateLimitName, key: string): Promise<RateLimitVerdict>;
}

export const RATE_LIMITS = Symbol.for("RateLimits");

/** `RATE_LIMITS=off` (benchmarks), and code built outside a container. */
export const noRateLimits: RateLimits = {
  consume: async () => ({ allowed: true, limit: Number.POSITIVE_INFINITY, remaining: Number.POSITIVE_INFINITY, resetSeconds: 0 }),
};
