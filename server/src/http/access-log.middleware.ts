import type { RequestHandler } from "express";
import type { Logger } from "../shared/application/logger.js";
import { currentRequestContext } from "../shared/request-context.js";

/**
 * One line per request once the response is sent. The context object is captured now because
 * 'finish' fires outside the request's async context, and read later because auth fills it in.
 */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const context = currentRequestContext();
    res.on("finish", () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info("request", {
        correlationId: context?.correlationId,
        userId: context?.userId,
        path: context?.path,
        method: req.method,
        url: req.originalUrl.split("?")[0],
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      });
    });
    next();
  };
}
