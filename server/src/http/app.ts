import cors from "cors";
import express, { type ErrorRequestHandler, type Express } from "express";
import helmet from "helmet";
import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import { openApiRoutes } from "../openapi/openapi.routes.js";
import { HEALTH_CHECK, type HealthCheck } from "../shared/application/health-check.js";
import type { Logger } from "../shared/application/logger.js";
import { appRouter } from "../trpc/app.router.js";
import type { Context } from "../trpc/context.js";
import { accessLogMiddleware } from "./access-log.middleware.js";
import { consoleRoutes } from "./console.routes.js";
import { corsOptionsOf } from "./cors-options.js";
import { healthRoutes } from "./health.routes.js";
import { HTTP_ROUTES, type HttpRoutes } from "./http-routes.js";
import { requestContextMiddleware } from "./request-context.middleware.js";
import { trpcGuardMiddleware } from "./trpc-guard.middleware.js";
import { trpcCallOptions } from "./trpc-context.js";
import { trpcHandler } from "./trpc-handler.js";

/** The server package's version, the OpenAPI document's info.version. */
const API_VERSION = "0.1.0";

export function createHttpApp(container: Container, config: AppConfig, logger: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.http.trustProxy);
  app.use(requestContextMiddleware());
  app.use(accessLogMiddleware(logger));
  app.use(helmet());
  app.use(cors(corsOptionsOf(config)));
  app.use(healthRoutes(container.getAll<HealthCheck>(HEALTH_CHECK)));
  for (const routes of boundAll<HttpRoutes>(container, HTTP_ROUTES)) app.use(routes.mountPath, routes.router);
  // GET /openapi.json and the /docs page over it, described from appRouter once, here.
  app.use(openApiRoutes(appRouter, { serverUrl: config.http.publicUrl ?? "/", version: API_VERSION }));
  app.use("/trpc", trpcGuardMiddleware());
  const calls = trpcCallOptions(container, config, logger);
  app.use(
    "/trpc",
    trpcHandler({
      router: appRouter,
      maxBodySize: calls.maxBodySize,
      createContext: (req, res): Context =>
        calls.createContext({
          requestId: String(res.locals.correlationId),
          ip: req.ip ?? null,
          authorization: req.get("authorization") ?? null,
        }),
      responseMeta: calls.responseMeta,
      onError: calls.onError,
    }),
  );
  app.use(consoleRoutes({ dir: config.http.consoleDir, storage: config.storage }));
  app.use((_req, res) => {
    res.status(404).json({ error: { message: "Not found", errorCode: "NOT_FOUND", correlationId: res.locals.correlationId } });
  });
  app.use(errorHandler(logger, config.isProduction));
  return app;
}

/** Errors outside tRPC (malformed bodies in plain routes, bugs in middleware): JSON, never a stack in production. */
function errorHandler(logger: Logger, production: boolean): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status = typeof error === "object" && error !== null && "status" in error ? Number(error.status) : 500;
    const httpStatus = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
    if (httpStatus >= 500) logger.error("request failed", { error });
    const expose = !production || httpStatus < 500;
    res.status(httpStatus).json({
      error: {
        message: expose && error instanceof Error ? error.message : "Internal server error",
        errorCode: httpStatus >= 500 ? "INTERNAL" : "VALIDATION_FAILED",
        correlationId: res.locals.correlationId,
      },
    });
  };
}

function boundAll<T>(container: Container, token: symbol): T[] {
  return container.isBound(token) ? container.getAll<T>(token) : [];
}
