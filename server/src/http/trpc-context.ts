import type { TRPCError } from "@trpc/server";
import type { ResponseMetaFn } from "@trpc/server/http";
import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { RATE_LIMITS, type RateLimits } from "../shared/application/rate-limits.js";
import type { AppRouter } from "../trpc/app.router.js";
import type { Context } from "../trpc/context.js";
import { resolveFrom } from "../trpc/resolve-from.js";

/** What a call's context needs from its HTTP request, whichever listener received it. */
export interface TrpcRequestFacts {
  requestId: string;
  ip: string | null;
  authorization: string | null;
}

export interface TrpcCallOptions {
  maxBodySize: number;
  createContext: (facts: TrpcRequestFacts) => Context;
  responseMeta: ResponseMetaFn<AppRouter>;
  /** tRPC's onError, reading only what both adapters pass. */
  onError: (failure: { error: TRPCError; path: string | undefined; type: string }) => void;
}

const BYTES_PER_UNIT: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * The adapter options of every tRPC call, in one place: express's /trpc and the subscription
 * listener ahead of it (subscriptions.listener.ts) must build the same context, apply the same
 * response meta and log failures the same way, or a client would see two APIs.
 */
export function trpcCallOptions(container: Container, config: AppConfig, logger: Logger): TrpcCallOptions {
  const rateLimits = container.get<RateLimits>(RATE_LIMITS);
  const resolve = resolveFrom(container);
  return {
    maxBodySize: parseBodyLimit(config.http.bodyLimit),
    createContext: (facts) => ({
      ...facts,
      exposeErrorDetails: !config.isProduction,
      resolve,
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
  };
}

export function parseBodyLimit(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match?.[1] || !match[2]) throw new Error(`Unparseable body limit ${limit}`);
  return Number(match[1]) * (BYTES_PER_UNIT[match[2].toLowerCase()] ?? 1);
}
