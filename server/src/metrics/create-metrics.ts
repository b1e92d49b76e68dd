import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import type { Database } from "../database/database.js";
import type { Logger } from "../shared/application/logger.js";
import { METRICS, noMetrics, type Metrics } from "../shared/application/metrics.js";
import { PromMetrics } from "./prom-metrics.js";
import { queueDepthFrom } from "./queue-depth.js";

/**
 * One registry per container. The queue depth is counted in the database the container opens
 * later, so it is asked for when scraped. METRICS=off: a port that records nothing.
 */
export function createMetrics(config: AppConfig, logger: Logger, database: () => Database | undefined): Metrics {
  if (!config.metrics.enabled) return noMetrics;
  return new PromMetrics({
    queueDepth: async () => {
      const db = database();
      return db ? queueDepthFrom(db, logger)() : undefined;
    },
  });
}

/** The container's registry, when metrics are on. */
export function promMetricsOf(container: Container): PromMetrics | undefined {
  if (!container.isBound(METRICS)) return undefined;
  const metrics = container.get<Metrics>(METRICS);
  return metrics instanceof PromMetrics ? metrics : undefined;
}
