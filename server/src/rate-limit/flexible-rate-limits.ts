import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract, type RateLimiterRedis } from "rate-limiter-flexible";
import type { Logger } from "../shared/application/logger.js";
import type { RateLimitName, RateLimitRule, RateLimits, RateLimitVerdict } from "../shared/application/rate-limits.js";

/** Makes the limiter of one limit; `prefix` keeps each limit's keys apart in a shared store. */
export type LimiterFactory = (name: RateLimitName, rule: RateLimitRule) => RateLimiterAbstract | RateLimiterRedis;

/**
 * The RateLimits port over rate-limiter-flexible, one fixed-window limiter per limit. A store
 * limiter (Redis) carries an in-memory `insuranceLimiter` of the same rule, which the library
 * consults whenever the store fails; an Error that still comes through (none should) lets the call
 * through and is logged, because a limiter that cannot count must not turn into an outage.
 */
export class FlexibleRateLimits implements RateLimits {
  private readonly limiters: ReadonlyMap<RateLimitName, { limiter: RateLimiterAbstract | RateLimiterRedis; rule: RateLimitRule }>;
  private warned = false;

  constructor(
    rules: Readonly<Record<RateLimitName, RateLimitRule>>,
    factory: LimiterFactory,
    private readonly logger: Logger,
  ) {
    this.limiters = new Map(
      (Object.entries(rules) as [RateLimitName, RateLimitRule][]).map(([name, rule]) => [
        name,
        { limiter: factory(name, rule), rule },
      ]),
    );
  }

  async consume(name: RateLimitName, key: string): Promise<RateLimitVerdict> {
    const entry = this.limiters.get(name);
    if (!entry) throw new Error(`no rate limit named ${name}`);
    try {
      return verdict(entry.rule, await entry.limiter.consume(key), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return verdict(entry.rule, rejection, false);
      if (!this.warned) {
        this.warned = true;
        this.logger.warn("rate limits: the limiter failed; calls are let through", { limit: name, error: rejection });
      }
      return { allowed: true, limit: entry.rule.points, remaining: entry.rule.points, resetSeconds: 0 };
    }
  }
}

function verdict(rule: RateLimitRule, res: RateLimiterRes, allowed: boolean): RateLimitVerdict {
  return {
    allowed,
    limit: rule.points,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** The in-process limiter: the whole budget when there is no Redis, the insurance when there is. */
export function memoryLimiter(name: RateLimitName, rule: RateLimitRule): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.windowSeconds });
}
