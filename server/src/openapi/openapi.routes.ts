import { createRequire } from "node:module";
import path from "node:path";
import type { AnyTRPCRouter } from "@trpc/server";
import express, { type Router } from "express";
import helmet from "helmet";
import { DOCS_ASSETS, DOCS_HTML, INITIALIZER, INITIALIZER_JS } from "./docs-page.js";
import { buildOpenApiDocument, type OpenApiOptions } from "./document.js";

/** The files of swagger-ui-dist the page loads; nothing else of the package is served. */
const SWAGGER_UI_FILES = new Set([
  "swagger-ui.css",
  "swagger-ui-bundle.js",
  "swagger-ui-standalone-preset.js",
  "favicon-32x32.png",
  "favicon-16x16.png",
]);

/**
 * The page's policy: helmet's defaults, as on every other route (`script-src 'self'`, no inline
 * script), without `upgrade-insecure-requests`. Every asset is same-origin, so on HTTPS it changes
 * nothing; on a plain-HTTP address (a private network) it would send the asset requests to an
 * https:// the server does not answer and leave the page blank.
 */
const docsPagePolicy = helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } });

/**
 * `GET /openapi.json` (the document, built once here at start-up) and `GET /docs` (Swagger UI over
 * it, from swagger-ui-dist's files served under /docs/assets/).
 */
export function openApiRoutes(router: AnyTRPCRouter, options: OpenApiOptions): Router {
  const body = JSON.stringify(buildOpenApiDocument(router, options));
  const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const routes = express.Router();
  routes.get("/openapi.json", (_req, res) => {
    res.type("application/json").set("Cache-Control", "no-cache").send(body);
  });
  routes.get("/docs", docsPagePolicy, (_req, res) => {
    res.type("html").set("Cache-Control", "no-cache").send(DOCS_HTML);
  });
  routes.get(`${DOCS_ASSETS}/${INITIALIZER}`, (_req, res) => {
    res.type("text/javascript").set("Cache-Control", "no-cache").send(INITIALIZER_JS);
  });
  routes.use(
    DOCS_ASSETS,
    (req, _res, next) => next(SWAGGER_UI_FILES.has(req.path.slice(1)) ? undefined : "router"),
    express.static(swaggerUiDir, { index: false, maxAge: "1h" }),
  );
  return routes;
}
