/** One dependency /health/ready looks at. Each context binds its own under HEALTH_CHECK. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const HEALTH_CHECK = Symbol.for("HealthCheck");
