import { timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MetricsConfig } from "../config/config.js";
import type { PromMetrics } from "./prom-metrics.js";

export const METRICS_PATH = "/metrics";

/**
 * Answers GET /metrics with the registry in Prometheus text format: 401 without the bearer
 * token when one is configured. Plain node:http, so the same handler serves the API's port (in
 * front of express, like liveness) and a port of its own.
 */
export function metricsHandler(metrics: PromMetrics, token: string | undefined) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("Method Not Allowed\n");
      return;
    }
    if (expected && !sameBytes(Buffer.from(req.headers.authorization ?? ""), expected)) {
      res
        .writeHead(401, { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain; charset=utf-8" })
        .end("Unauthorized\n");
      return;
    }
    try {
      const body = await metrics.scrape();
      res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Metrics could not be collected\n");
    }
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the API's own port answers /metrics: switched on, no port of its own, and a token or not production. */
export function servesMetricsOnApiPort(config: MetricsConfig, isProduction: boolean): boolean {
  return config.enabled && config.port === undefined && (config.token !== undefined || !isProduction);
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** METRICS_PORT: /metrics on a port of its own (everything else 404), e.g. one only the scraper can reach. */
export async function startMetricsServer(
  metrics: PromMetrics,
  options: { port: number; host: string; token: string | undefined },
): Promise<MetricsServer> {
  const handle = metricsHandler(metrics, options.token);
  const server = createServer((req, res) => {
    if (pathOf(req.url) === METRICS_PATH) return void handle(req, res);
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not Found\n");
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function pathOf(url: string | undefined): string {
  if (!url) return "";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
