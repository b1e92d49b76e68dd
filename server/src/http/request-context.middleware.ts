import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { runWithRequestContext } from "../shared/request-context.js";

/** Incoming ids are kept only if they are short and plain, so a client cannot inject into logs. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request's correlation id: the client's X-Request-Id when it is acceptable, else a new one. */
export function correlationIdFor(incoming: string | undefined): string {
  return incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function requestContextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const correlationId = correlationIdFor(req.get("x-request-id"));
    res.setHeader("X-Request-Id", correlationId);
    res.locals.correlationId = correlationId;
    runWithRequestContext({ correlationId, ip: req.ip }, () => next());
  };
}
