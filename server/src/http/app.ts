import cors from "cors";
import express, { type ErrorRequestHandler, type Express } from "express";
import helmet from "helmet";
import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import { openApiRoutes } from "../openapi/openapi.routes.js";
import { HEALTH_CHECK, type HealthCheck } from "../shared/application/health-check.js";
import type { Logger } from "../shared/application/logger.js";
import { RATE_LIMITS, type RateLimits } from "../shared/application/rate-limits.js";
import { appRouter } from "../trpc/app.router.js";
import type { Context } from "../trpc/context.js";
import { resolveFrom } from "../trpc/resolve-from.js";
import { accessLogMiddleware } from "./access-log.middleware.js";
import { consoleRoutes } from "./console.routes.js";
import { healthRoutes } from "./health.routes.js";
import { HTTP_ROUTES, type HttpRoutes } from "./http-routes.js";
import { requestContextMiddleware } from "./request-context.middleware.js";
import { trpcGuardMiddleware } from "./trpc-guard.middleware.js";
import { trpcHandler } from "./trpc-handler.js";

/** The server package's version, the OpenAPI document's info.version. */
const API_VERSION = "0.1.0";
const BYTES_PER_UNIT: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

export function createHttpApp(container: Container, config: AppConfig, logger: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.http.trustProxy);
  app.use(requestContextMiddleware());
  app.use(accessLogMiddleware(logger));
  app.use(helmet());
  app.use(
    cors({
      origin: config.http.corsOrigins,
      credentials: true,
      // ETag: a browser uploading parts to /files must read it for uploads.complete; Content-Range: a
      // player on another origin range-reads /files media.
      exposedHeaders: [
        "X-Request-Id",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "ETag",
        "Content-Range",
      ],
    }),
  );
  app.use(healthRoutes(container.getAll<HealthCheck>(HEALTH_CHECK)));
  for (const routes of boundAll<HttpRoutes>(container, HTTP_ROUTES)) app.use(routes.mountPath, routes.router);
  // GET /openapi.json and the /docs page over it, described from appRouter once, here.
  app.use(openApiRoutes(appRouter, { serverUrl: config.http.publicUrl ?? "/", version: API_VERSION }));
  app.use("/trpc", trpcGuardMiddleware());
  const rateLimits = container.get<RateLimits>(RATE_LIMITS);
  app.use(
    "/trpc",
    trpcHandler({
      router: appRouter,
      maxBodySize: parseBodyLimit(config.http.bodyLimit),
      createContext: (req, res): Context => ({
        requestId: String(res.locals.correlationId),
        ip: req.ip ?? null,
        authorization: req.get("authorization") ?? null,
        exposeErrorDetails: !config.isProduction,
        resolve: resolveFrom(container),
        response: { headers: {} },
        rateLimits,
      }),
      // What procedures and middlewares put in ctx.response (e.g. a 429's Retry-After), on both paths.
      responseMeta: ({ ctx }) =>
        ctx ? { headers: ctx.response.headers, ...(ctx.response.status ? { status: ctx.response.status } : {}) } : {},
      onError: ({ error, path, type }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          logger.error("procedure failed", { path, type, error: error.cause ?? error });
        } else {
          logger.debug("procedure rejected", { path, type, code: error.code, message: error.message });
        }
      },
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

function parseBodyLimit(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match?.[1] || !match[2]) throw new Error(`Unparseable body limit ${limit}`);
  return Number(match[1]) * (BYTES_PER_UNIT[match[2].toLowerCase()] ?? 1);
}
