import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { runWithRequestContext } from "../shared/request-context.js";

/** Incoming ids are kept only if they are short and plain, so a client cannot inject into logs. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestContextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const correlationId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Request-Id", correlationId);
    res.locals.correlationId = correlationId;
    runWithRequestContext({ correlationId, ip: req.ip }, () => next());
  };
}
