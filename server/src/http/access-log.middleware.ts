import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import type { Logger } from "../shared/application/logger.js";
import { currentRequestContext, type RequestContext } from "../shared/request-context.js";

/**
 * One line per request once the response is sent. The context object is captured now because
 * 'finish' fires outside the request's async context, and read later because auth fills it in.
 */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    logWhenFinished(logger, req, res, currentRequestContext(), req.originalUrl);
    next();
  };
}

/** The access line, for express and for the listeners ahead of it (subscriptions.listener.ts). */
export function logWhenFinished(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  context: RequestContext | undefined,
  url: string,
  started = process.hrtime.bigint(),
): void {
  res.on("finish", () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info("request", {
      correlationId: context?.correlationId,
      userId: context?.userId,
      path: context?.path,
      method: req.method,
      url: url.split("?")[0],
      status: res.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
    });
  });
}
