/** One dependency /health/ready looks at. Each context binds its own under HEALTH_CHECK. */
export interface HealthCheck {
  readonly name: string;
  /** Which implementation serves this part (e.g. "redis", "pglite"), for readiness to say. */
  readonly adapter?: string;
  /**
   * An optional dependency (the generation provider): while it fails, readiness stays 200 and
   * reads "degraded", since everything else still works. A required one (the default) makes it 503.
   */
  readonly optional?: boolean;
  check(): Promise<void>;
}

export const HEALTH_CHECK = Symbol.for("HealthCheck");
