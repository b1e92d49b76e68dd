import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import { internal_exceptionHandler } from "@trpc/server/adapters/node-http";
import { resolveResponse, type HTTPErrorHandler, type ResponseMetaFn } from "@trpc/server/http";
import type { Request as ExpressRequest, Response as ExpressResponse, RequestHandler } from "express";
import { NodeTrpcRequest } from "./trpc-node-request.js";
import { answerSingleCall, type SingleCallAnswer } from "./trpc-single-call.js";
import { sseKeepAlive } from "./sse-keep-alive.js";

export interface TrpcHandlerOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  maxBodySize: number;
  createContext: (req: ExpressRequest, res: ExpressResponse) => inferRouterContext<TRouter>;
  onError?: HTTPErrorHandler<TRouter, IncomingMessage>;
  /**
   * Headers and status from the call's context and results (tRPC's own option), applied on both
   * paths: the single-call one and resolveResponse.
   */
  responseMeta?: ResponseMetaFn<TRouter>;
}

/** Answers that come whole (JSON, errors); event streams and JSON lines are written as they come. */
const STREAMED = /^(text\/event-stream|application\/jsonl)/;

/**
 * tRPC on express: a single query or mutation answered by answerSingleCall (tRPC's own steps,
 * without the Fetch API objects), everything else through `resolveResponse`, tRPC's documented
 * entry point for adapters, with the request read from node directly (NodeTrpcRequest) and whole
 * answers written with one `end()` instead of through a WHATWG stream pipe. Same protocol, same
 * errors: only the copying between node's and the Fetch API's types is gone.
 */
export function trpcHandler<TRouter extends AnyTRPCRouter>(options: TrpcHandlerOptions<TRouter>): RequestHandler {
  return (req, res) => {
    const path = req.path.slice(req.path.lastIndexOf("/") + 1);
    handle(options, req, res, path).catch(
      internal_exceptionHandler({
        req,
        res,
        path,
        router: options.router,
        createContext: ({ req: request, res: response }) => options.createContext(request, response),
        ...(options.onError ? { onError: options.onError } : {}),
      }),
    );
  };
}

async function handle<TRouter extends AnyTRPCRouter>(
  options: TrpcHandlerOptions<TRouter>,
  req: ExpressRequest,
  res: ExpressResponse,
  path: string,
): Promise<void> {
  const abort = new AbortController();
  // A client that goes away mid-answer (an SSE subscriber, say) cancels the call.
  res.once("close", () => {
    if (!res.writableEnded) abort.abort();
  });
  const request = new NodeTrpcRequest(
    req,
    res,
    `http://${req.headers.host ?? "localhost"}${req.originalUrl}`,
    abort.signal,
    options.maxBodySize,
  );
  const createContext = async () => options.createContext(req, res);
  const answer = await answerSingleCall({
    router: options.router,
    req: request.asRequest(),
    url: new URL(request.url),
    path,
    signal: abort.signal,
    createContext,
    onError: (error) => options.onError?.({ ...error, req }),
    responseMeta: options.responseMeta,
  });
  if (answer) {
    await writeAnswer(answer, res, abort.signal);
    return;
  }
  const response = await resolveResponse({
    router: options.router,
    req: request.asRequest(),
    path,
    error: null,
    createContext,
    onError: (error) => options.onError?.({ ...error, req }),
    ...(options.responseMeta ? { responseMeta: options.responseMeta } : {}),
  });
  await writeResponse(response, res, abort.signal);
}

/** An answer of answerSingleCall's, for the subscription listener ahead of express too. */
export async function writeAnswer(answer: SingleCallAnswer, res: ServerResponse, signal: AbortSignal): Promise<void> {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if ("body" in answer) res.end(answer.body);
  else if ("frames" in answer) await writeFrames(answer.frames, res);
  else await writeStream(answer.stream, res, signal);
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  for (const [key, value] of response.headers) if (key !== "set-cookie") res.setHeader(key, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!response.body) {
    res.end();
    return;
  }
  if (!STREAMED.test(response.headers.get("content-type") ?? "")) {
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  await writeStream(response.body, res, signal);
}

/** A subscription's frames, one socket write each, waiting for the socket to drain when it is full. */
async function writeFrames(frames: AsyncIterable<string | Buffer>, res: ServerResponse): Promise<void> {
  let first = true;
  try {
    res.once("close", () => sseKeepAlive.delete(res));
    for await (const frame of frames) {
      if (res.destroyed) break;
      const written = res.write(frame);
      if (first) {
        keepSentHeadFlat(res);
        sseKeepAlive.add(res);
      }
      first = false;
      if (!written) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
    }
  } finally {
    sseKeepAlive.delete(res);
    res.end();
  }
}

/**
 * Node keeps the head it sent, built by ~90 string concatenations, as a rope for as long as the
 * response lives: about 3 KiB per open event stream (a heap snapshot of 1 000 streams,
 * docs/benchmarks.md). One flat copy of the same characters is a third of that; node only ever
 * tests the property for truthiness once the head is sent.
 */
function keepSentHeadFlat(res: ServerResponse): void {
  const sent = res as ServerResponse & { _header?: unknown };
  if (res.headersSent && typeof sent._header === "string") sent._header = Buffer.from(sent._header, "latin1").toString("latin1");
}

/** Copies an event stream or JSON lines to the socket as they come, ending when either side does. */
async function writeStream(body: ReadableStream<Uint8Array>, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener("abort", cancel, { once: true });
  if (signal.aborted) cancel();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      // Backpressure: wait for the socket to drain before asking the stream for more.
      if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      (res as ServerResponse & { flush?: () => void }).flush?.();
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    res.end();
  }
}
