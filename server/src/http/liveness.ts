import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

const LIVENESS_PATH = "/health/live";
const BODY = JSON.stringify({ status: "ok" });
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "content-length": String(Buffer.byteLength(BODY)),
  "cache-control": "no-store",
};

/**
 * The HTTP server's listener: liveness is answered here, before express and its middleware, and
 * everything else goes to the app.
 *
 * A liveness probe asks one thing, "is this process's event loop turning?", several times a
 * minute from every orchestrator: it needs no request id, CORS, security headers or access line
 * (those lines would drown the log), and it should answer even if a middleware misbehaves. Going
 * through express cost it 85 % of what a plain node:http answer costs (docs/benchmarks.md).
 * Readiness, which checks dependencies, stays an ordinary route.
 */
export function withLivenessProbe(app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === LIVENESS_PATH && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, HEADERS);
      res.end(req.method === "HEAD" ? undefined : BODY);
      return;
    }
    app(req, res);
  };
}
