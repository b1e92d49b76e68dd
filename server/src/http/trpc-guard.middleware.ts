import { TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import type { RequestHandler } from "express";
import { appRouter } from "../trpc/app.router.js";

/** tRPC serves queries on GET and mutations (and batches) on POST, and answers HEAD with 204. */
const TRPC_METHODS = new Set(["GET", "HEAD", "POST"]);

/**
 * In front of the tRPC adapter at /trpc:
 * - Any other method is a 405 here, in the formatter's own shape. Left to the adapter, the ones
 *   undici refuses to put in a fetch Request (TRACE, TRACK) were a 500.
 * - `Cache-Control: no-store` on every answer: each one is a credential (auth.*) or one caller's
 *   data, and batches mix paths, so no response here may sit in a browser or proxy cache. A future
 *   public, cacheable query can opt out in tRPC's responseMeta.
 */
export function trpcGuardMiddleware(): RequestHandler {
  return (req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    if (TRPC_METHODS.has(req.method)) {
      next();
      return;
    }
    const shape = getErrorShape({
      config: appRouter._def._config,
      error: new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `Unsupported ${req.method} request` }),
      type: "unknown",
      path: undefined,
      input: undefined,
      ctx: undefined,
    });
    res
      .status(405)
      .set("Allow", [...TRPC_METHODS].join(", "))
      .json({ error: shape });
  };
}
