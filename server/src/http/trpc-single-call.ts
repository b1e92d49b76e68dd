import type { AnyTRPCRouter } from "@trpc/server";
import {
  getAcceptHeader,
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
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
}

/** The answer to write: resolveResponse's status, headers and body for the same request. */
export interface SingleCallAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const METHOD_OF: Partial<Record<ProcedureType, string>> = { query: "GET", mutation: "POST" };
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
 * Returns undefined, having read nothing from the request, for anything else (batches, streaming,
 * subscriptions, unknown procedures, a method the procedure does not accept, a content type tRPC
 * refuses): those go through resolveResponse itself. `trpc-adapter.test.ts` holds both paths to
 * the stock adapter's answers.
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
  let info: Awaited<ReturnType<typeof getRequestInfo>>;
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
    return json(config, { error: shape }, [error]);
  }
  if (isDataStream(data)) {
    // resolveResponse throws this past the call, so its shape has no path or input.
    const error = new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
    });
    call.onError({ error, path: undefined, input: undefined, ctx, type, req });
    return json(config, { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) }, [error]);
  }
  return json(config, { result: { data } }, []);
}

type Config = AnyTRPCRouter["_def"]["_config"];
type Envelope = TRPCResponse<unknown, TRPCErrorShape>;

function json(config: Config, envelope: Envelope, errors: TRPCError[]): SingleCallAnswer {
  return {
    status: getHTTPStatusCode([envelope], errors),
    headers: JSON_HEADERS,
    body: JSON.stringify(transformTRPCResponse(config, envelope)),
  };
}

/** resolveResponse's test for an answer that needs a streaming link. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}
