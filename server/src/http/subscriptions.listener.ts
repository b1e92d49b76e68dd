import { IncomingMessage, ServerResponse, type RequestListener } from "node:http";
import { Socket } from "node:net";
import type { AnyTRPCRouter } from "@trpc/server";
import { internal_exceptionHandler } from "@trpc/server/adapters/node-http";
import cors from "cors";
import helmet from "helmet";
import type { Container } from "inversify";
import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { runWithRequestContext, type RequestContext } from "../shared/request-context.js";
import { appRouter } from "../trpc/app.router.js";
import { logWhenFinished } from "./access-log.middleware.js";
import { corsOptionsOf } from "./cors-options.js";
import { correlationIdFor } from "./request-context.middleware.js";
import { writeAnswer } from "./trpc-handler.js";
import { NodeTrpcRequest } from "./trpc-node-request.js";
import { answerSingleCall } from "./trpc-single-call.js";
import { trpcCallOptions, type TrpcCallOptions, type TrpcRequestFacts } from "./trpc-context.js";

const PREFIX = "/trpc/";

interface Edge {
  call: TrpcCallOptions;
  logger: Logger;
  trustProxy: boolean;
  securityHeaders: [string, string | number | string[]][];
  crossOrigin: ReturnType<typeof cors>;
}

/**
 * GET /trpc/{subscription}, answered here, before express, as /play and /health/live are: an open
 * event stream keeps its request and response for as long as it lasts, and express's decoration
 * (dictionary-mode properties on both, its middleware chain's closures) was the largest part of
 * what each of a thousand streams held (docs/adr/0029). What express's middlewares give a call is
 * given here too, in their order: request id and logging context, access line, helmet's headers,
 * CORS, the tRPC guard's Cache-Control; the call itself goes through the same adapter steps
 * (answerSingleCall) with the same context and response meta. A request the adapter would hand to
 * resolveResponse (a batch, JSON lines, a router with SSE limits) goes to express unread.
 */
export function withSubscriptions(
  app: RequestListener,
  container: Container,
  config: AppConfig,
  logger: Logger,
): RequestListener {
  const subscriptions = subscriptionPaths(appRouter);
  const edge: Edge = {
    call: trpcCallOptions(container, config, logger),
    logger,
    trustProxy: config.http.trustProxy,
    securityHeaders: helmetHeaders(),
    crossOrigin: cors(corsOptionsOf(config)),
  };
  return (req, res) => {
    const path = req.method === "GET" ? subscriptionOf(req.url ?? "", subscriptions) : undefined;
    if (path === undefined) {
      app(req, res);
      return;
    }
    const facts = factsOf(req, edge.trustProxy);
    const context: RequestContext = { correlationId: facts.requestId, ip: facts.ip ?? undefined };
    const started = process.hrtime.bigint();
    runWithRequestContext(context, () =>
      answer(app, edge, req, res, path, facts, context, started).catch(
        internal_exceptionHandler({
          req,
          res,
          path,
          router: appRouter,
          createContext: () => edge.call.createContext(facts),
          onError: edge.call.onError,
        }),
      ),
    );
  };
}

/** Every subscription of the router, by the path a URL names it with. */
export function subscriptionPaths(router: AnyTRPCRouter): Set<string> {
  const procedures: Record<string, unknown> = router._def.procedures;
  const paths = new Set<string>();
  for (const [path, procedure] of Object.entries(procedures)) {
    if (typeof procedure === "function" && "_def" in procedure && isSubscription(procedure._def)) paths.add(path);
  }
  return paths;
}

function isSubscription(def: unknown): boolean {
  return typeof def === "object" && def !== null && "type" in def && def.type === "subscription";
}

function subscriptionOf(url: string, subscriptions: Set<string>): string | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const query = url.indexOf("?");
  const path = url.slice(PREFIX.length, query < 0 ? undefined : query);
  return subscriptions.has(path) ? path : undefined;
}

async function answer(
  app: RequestListener,
  edge: Edge,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  facts: TrpcRequestFacts,
  context: RequestContext,
  started: bigint,
): Promise<void> {
  const abort = new AbortController();
  // A subscriber that goes away cancels the call, as in the express adapter.
  res.once("close", () => {
    if (!res.writableEnded) abort.abort();
  });
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  const request = new NodeTrpcRequest(req, res, url, abort.signal, edge.call.maxBodySize);
  const answered = await answerSingleCall({
    router: appRouter,
    req: request.asRequest(),
    url: new URL(url),
    path,
    signal: abort.signal,
    createContext: async () => edge.call.createContext(facts),
    onError: edge.call.onError,
    responseMeta: edge.call.responseMeta,
  });
  if (!answered) {
    // Nothing read, nothing written: express answers it as it always has.
    app(req, res);
    return;
  }
  res.setHeader("X-Request-Id", facts.requestId);
  logWhenFinished(edge.logger, req, res, context, req.url ?? "", started);
  for (const [name, value] of edge.securityHeaders) res.setHeader(name, value);
  await new Promise<void>((resolve, reject) =>
    edge.crossOrigin(req, res, (error?: unknown) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    ),
  );
  res.setHeader("Cache-Control", "no-store");
  await writeAnswer(answered, res, abort.signal);
}

/** The express request's `ip` and `get("authorization")`, for `trust proxy` on or off. */
function factsOf(req: IncomingMessage, trustProxy: boolean): TrpcRequestFacts {
  const incoming = headerOf(req, "x-request-id");
  const forwarded = trustProxy ? headerOf(req, "x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  return {
    requestId: correlationIdFor(incoming),
    ip: forwarded ?? req.socket.remoteAddress ?? null,
    authorization: req.headers.authorization ?? null,
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** helmet's headers, taken once from its middleware: its defaults read nothing of the request. */
function helmetHeaders(): [string, string | number | string[]][] {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  let ran = false;
  helmet()(req, res, () => (ran = true));
  if (!ran) throw new Error("helmet's middleware did not finish synchronously");
  const headers: [string, string | number | string[]][] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) if (value !== undefined) headers.push([name, value]);
  return headers;
}
