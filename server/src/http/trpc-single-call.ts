import type { AnyTRPCRouter } from "@trpc/server";
import type { ResponseMeta, ResponseMetaFn } from "@trpc/server/http";
import { isObservable, observableToAsyncIterable } from "@trpc/server/observable";
import { sseFrames } from "./sse-frames.js";
import {
  getAcceptHeader,
  getErrorShape,
  getHTTPStatusCode,
  getLastEventId,
  getProcedureAtPath,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  sseHeaders,
  sseStreamProducer,
  transformTRPCResponse,
  TRPCError,
  urlPathToProcedurePath,
  type AnyProcedure,
  type ProcedureType,
  type TRPCErrorShape,
  type TRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";

/** What `resolveResponse` passes to its onError, for the calls answered here. */
export interface SingleCallError {
  error: TRPCError;
  path: string | undefined;
  input: unknown;
  ctx: unknown;
  type: ProcedureType | "unknown";
  req: Request;
}

export interface SingleCall<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** The request as resolveResponse reads it (NodeTrpcRequest). */
  req: Request;
  url: URL;
  /** The procedure path as it appears in the URL (after /trpc/). */
  path: string;
  signal: AbortSignal;
  createContext: () => Promise<unknown>;
  onError: (error: SingleCallError) => void;
  /** As resolveResponse's option: called once the results are known, its headers and status win. */
  responseMeta?: ResponseMetaFn<TRouter> | undefined;
}

export type AnswerHeaders = Record<string, string | string[]>;

/**
 * The answer to write: resolveResponse's status, headers and body for the same request; for a
 * subscription whose procedure accepted the call, the event stream to copy to the socket.
 */
export type SingleCallAnswer =
  | { status: number; headers: AnswerHeaders; body: string }
  | { status: number; headers: AnswerHeaders; stream: ReadableStream<Uint8Array> }
  | { status: number; headers: AnswerHeaders; frames: AsyncIterable<string | Buffer> };

const METHOD_OF: Partial<Record<ProcedureType, string>> = { query: "GET", mutation: "POST", subscription: "GET" };
/** Both headers resolveResponse sets on every JSON answer, in its order. */
const JSON_HEADERS = { vary: "trpc-accept, accept", "content-type": "application/json" };

/**
 * One unbatched query or mutation, answered the way tRPC's `resolveResponse` answers it, without
 * the Fetch API objects it builds for every request: a `Headers`, three abort signals joined with
 * `AbortSignal.any` (Node 20 makes each one transferable, which showed as ~5 % of a cached
 * `videos.get`), an undici `Response` with a ReadableStream body read back into a buffer. The steps
 * that decide the answer are tRPC's own exports (request info and input parsing, procedure call,
 * error shape, status, transformer), called in resolveResponse's order.
 *
 * A subscription (GET, unbatched) is answered here too, with one deliberate difference: its
 * procedure runs before anything is written, and if it throws (bad input, no credentials, a job
 * that is not the caller's) the answer is that error as JSON with its HTTP status, where
 * resolveResponse would open a 200 event stream that carries the error (and an EventSource would
 * reconnect to it forever). A procedure that accepts the call is streamed as resolveResponse does.
 *
 * Returns undefined, having read nothing from the request, for anything else (batches, streaming,
 * unknown procedures, a method the procedure does not accept, a content type tRPC refuses): those
 * go through resolveResponse itself. `trpc-adapter.test.ts` holds both paths to the stock
 * adapter's answers, headers and statuses set through responseMeta included.
 */
export async function answerSingleCall<TRouter extends AnyTRPCRouter>(
  call: SingleCall<TRouter>,
): Promise<SingleCallAnswer | undefined> {
  const { router, req, url } = call;
  const method = req.method;
  if (method !== "GET" && method !== "POST") return undefined;
  if (url.searchParams.get("batch") === "1" || getAcceptHeader(req.headers) === "application/jsonl") return undefined;
  let path: string;
  let procedure: AnyProcedure | null;
  try {
    path = urlPathToProcedurePath(decodeURIComponent(call.path), router._def._config.pathSeparator);
    procedure = await getProcedureAtPath(router, path);
  } catch {
    return undefined; // a malformed path, or a lazy router that fails to load: resolveResponse answers
  }
  if (!procedure || METHOD_OF[procedure._def.type] !== method) return undefined;
  let info: RequestInfo;
  try {
    info = await getRequestInfo({
      req,
      path,
      router,
      searchParams: url.searchParams,
      headers: req.headers,
      url,
      maxBatchSize: undefined,
    });
  } catch {
    return undefined; // refused before anything was read: resolveResponse says why
  }
  const [procedureCall] = info.calls;
  if (!procedureCall || info.isBatchCall) return undefined;

  const config = router._def._config;
  const type = procedure._def.type;
  // Streams that end on their own after a while are resolveResponse's to time.
  if (type === "subscription" && (config.sse?.enabled === false || config.sse?.maxDurationMs)) return undefined;
  let ctx: unknown;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await call.createContext();
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }

  let data: unknown;
  try {
    if (ctxError) throw ctxError;
    data = await procedure({
      path,
      getRawInput: procedureCall.getRawInput,
      ctx,
      type,
      signal: call.signal,
      batchIndex: procedureCall.batchIndex,
    });
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    const input = procedureCall.result();
    call.onError({ error, path, input, ctx, type, req });
    const shape = getErrorShape({ config, ctx, error, input, path, type });
    return json(call, info, ctx, type, { error: shape }, [error]);
  }
  if (type === "subscription") return subscription(call, info, ctx, path, data, procedureCall.result);
  if (isDataStream(data)) {
    // resolveResponse throws this past the call, so its shape has no path or input.
    const error = new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
    });
    call.onError({ error, path: undefined, input: undefined, ctx, type, req });
    const shape = getErrorShape({ config, ctx, error, input: undefined, path: undefined, type });
    return json(call, info, ctx, type, { error: shape }, [error]);
  }
  return json(call, info, ctx, type, { result: { data } }, []);
}

type Config = AnyTRPCRouter["_def"]["_config"];
type Envelope = TRPCResponse<unknown, TRPCErrorShape>;
type RequestInfo = Awaited<ReturnType<typeof getRequestInfo>>;

function json<TRouter extends AnyTRPCRouter>(
  call: SingleCall<TRouter>,
  info: RequestInfo,
  ctx: unknown,
  type: ProcedureType,
  envelope: Envelope,
  errors: TRPCError[],
): SingleCallAnswer {
  const config: Config = call.router._def._config;
  let status = getHTTPStatusCode([envelope], errors);
  let headers: AnswerHeaders = JSON_HEADERS;
  if (call.responseMeta) {
    const meta = call.responseMeta(metaOptions(info, ctx, type, [envelope], errors, false));
    headers = withMeta({ ...JSON_HEADERS }, meta);
    if (meta.status) status = meta.status;
  }
  return { status, headers, body: JSON.stringify(transformTRPCResponse(config, envelope)) };
}

/** The event stream of a subscription whose procedure accepted the call, as resolveResponse writes it. */
function subscription<TRouter extends AnyTRPCRouter>(
  call: SingleCall<TRouter>,
  info: RequestInfo,
  ctx: unknown,
  path: string,
  data: unknown,
  input: () => unknown,
): SingleCallAnswer {
  const config: Config = call.router._def._config;
  const iterable = isObservable(data)
    ? observableToAsyncIterable(data, call.signal)
    : isAsyncIterable(data)
      ? data
      : failing(
          new TRPCError({
            message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
            code: "INTERNAL_SERVER_ERROR",
          }),
        );
  const serialize = (value: unknown) => config.transformer.output.serialize(value);
  const formatError = ({ error: cause }: { error: unknown }) => {
    const error = getTRPCErrorFromUnknown(cause);
    call.onError({ error, path, input: input(), ctx, type: "subscription", req: call.req });
    return getErrorShape({ config, ctx, error, input: input(), path, type: "subscription" });
  };
  const lastEventId = getLastEventId({ headers: call.req.headers, searchParams: call.url.searchParams });
  // Pings and client options are tRPC's producer's to write; without them, whole frames (sse-frames.ts).
  const body:
    | Pick<Extract<SingleCallAnswer, { frames: unknown }>, "frames">
    | Pick<Extract<SingleCallAnswer, { stream: unknown }>, "stream"> =
    config.sse?.ping?.enabled || config.sse?.emitAndEndImmediately || config.sse?.client
      ? { stream: sseStreamProducer({ ...config.sse, lastEventId, data: iterable, serialize, formatError }) }
      : { frames: sseFrames(iterable, { serialize, formatError, lastEventId }) };
  let status = 200;
  const headers: AnswerHeaders = { vary: JSON_HEADERS.vary };
  for (const [name, value] of Object.entries(sseHeaders)) headers[name.toLowerCase()] = value;
  if (call.responseMeta) {
    const meta = call.responseMeta(metaOptions(info, ctx, "subscription", [], [], true));
    withMeta(headers, meta);
    if (meta.status) status = meta.status;
  }
  return { status, headers, ...body };
}

/** A stream whose first read fails, as resolveResponse streams a subscription that returned no stream. */
function failing(error: TRPCError): AsyncIterable<never> {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
}

/** responseMeta's argument, as resolveResponse builds it. */
function metaOptions(
  info: RequestInfo,
  ctx: unknown,
  type: ProcedureType,
  data: Envelope[],
  errors: TRPCError[],
  eagerGeneration: boolean,
): Parameters<ResponseMetaFn<AnyTRPCRouter>>[0] {
  return {
    ctx: ctx as never,
    info,
    paths: info.calls.map((procedureCall) => procedureCall.path),
    data: data as never,
    errors,
    eagerGeneration,
    type,
  };
}

/** resolveResponse's merge: a Headers object's values are appended, a record's set (arrays appended). */
function withMeta(headers: AnswerHeaders, meta: ResponseMeta): AnswerHeaders {
  const append = (name: string, value: string) => {
    const key = name.toLowerCase();
    const current = headers[key];
    headers[key] = current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
  };
  if (meta.headers instanceof Headers) {
    for (const [name, value] of meta.headers.entries()) append(name, value);
  } else if (meta.headers) {
    for (const [name, value] of Object.entries(meta.headers)) {
      if (Array.isArray(value)) for (const item of value) append(name, item);
      else if (typeof value === "string") headers[name.toLowerCase()] = value;
    }
  }
  return headers;
}

/** resolveResponse's test for an answer that needs a streaming link. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}
