import type { HttpRoutes } from "../http/http-routes.js";
import type { HealthCheck } from "./application/health-check.js";

/**
 * What every platform factory (database, cache, storage, media, and later queue and events)
 * returns, so the composition root opens them as a list: bind the value to the port's token,
 * log which adapter was bound, close in reverse order, and check health where it can fail.
 */
export interface PlatformAdapter<T = unknown> {
  /** The port's name in start-up lines, readiness and shutdown, e.g. "cache". */
  readonly port: string;
  readonly token: symbol;
  readonly value: T;
  /** Which adapter was bound, e.g. "Redis (redis://127.0.0.1:6379)". Never a credential. */
  readonly describe: string;
  close(): Promise<void>;
  /** Null when nothing outside the process can be down (in-process adapters). */
  readonly healthCheck: HealthCheck | null;
  /** Plain HTTP routes the adapter serves beside tRPC (local storage's /files). */
  readonly routes?: HttpRoutes | null;
}
