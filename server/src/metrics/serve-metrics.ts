import type { RequestListener } from "node:http";
import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import type { Lifecycle } from "../shared/lifecycle.js";
import { promMetricsOf } from "./create-metrics.js";
import { metricsHandler, METRICS_PATH, pathOf, servesMetricsOnApiPort, startMetricsServer } from "./metrics-endpoint.js";

/**
 * GET /metrics on the API's port, answered before express like liveness (a scrape every few
 * seconds needs no request id, CORS or access line), when METRICS_PORT is unset and either a
 * token is set or this is not production. Otherwise the path falls through to express's 404.
 */
export function withMetricsEndpoint(app: RequestListener, container: Container, config: AppConfig): RequestListener {
  const metrics = promMetricsOf(container);
  if (!metrics || !servesMetricsOnApiPort(config.metrics, config.isProduction)) return app;
  const handle = metricsHandler(metrics, config.metrics.token);
  return (req, res) => {
    if (pathOf(req.url) === METRICS_PATH) return void handle(req, res);
    app(req, res);
  };
}

/** METRICS_PORT set: /metrics on that port (API and worker alike), closed with the lifecycle. */
export async function startMetricsPort(
  container: Container,
  config: AppConfig,
  lifecycle: Lifecycle,
  logger: Logger,
): Promise<string | undefined> {
  const metrics = promMetricsOf(container);
  if (!metrics || config.metrics.port === undefined) return undefined;
  const server = await startMetricsServer(metrics, {
    port: config.metrics.port,
    host: config.http.host,
    token: config.metrics.token,
  });
  lifecycle.add("metrics server", () => server.close());
  logger.info(`metrics at ${server.url}${METRICS_PATH}`);
  return server.url;
}
