import { CircuitState, type CircuitBreakerPolicy } from "cockatiel";
import type { BreakerState } from "../../shared/application/metrics.js";
import type { HttpGenerationOptions } from "./http-generation.options.js";

const BREAKER_STATE: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "open",
};

/**
 * The breaker's open state shared through the cache: when this process's breaker opens it writes
 * `breakerKey` for halfOpenAfterMs, when it resets it deletes it, so every process's availability
 * (and /health/ready's "degraded") reflects any one process's breaker. Also reports its state.
 */
export class SharedBreaker {
  /** While Date.now() is below this, the local breaker refuses calls (then one trial is let through). */
  private openUntil = 0;

  constructor(
    breaker: CircuitBreakerPolicy,
    private readonly options: Pick<HttpGenerationOptions, "cache" | "breakerKey" | "halfOpenAfterMs" | "metrics">,
  ) {
    const ttlSeconds = Math.max(1, Math.ceil(options.halfOpenAfterMs / 1000));
    breaker.onBreak(() => {
      this.openUntil = Date.now() + options.halfOpenAfterMs;
      void options.cache.set(options.breakerKey, { openedAt: new Date().toISOString() }, ttlSeconds);
    });
    breaker.onReset(() => {
      this.openUntil = 0;
      void options.cache.delete(options.breakerKey);
    });
    options.metrics.providerBreakerState("closed");
    breaker.onStateChange((state) => options.metrics.providerBreakerState(BREAKER_STATE[state]));
  }

  /** False while this process's breaker is open or another process's open state is in the cache. */
  async isAvailable(): Promise<boolean> {
    if (Date.now() < this.openUntil) return false;
    return (await this.options.cache.get(this.options.breakerKey)) === undefined;
  }
}
