import http from "node:http";
import fc from "fast-check";
import { hostileString, hostileValue, mutate } from "./hostile.js";
import { arbitraryFor, type KnownValues } from "./json-schema.js";
import type { FuzzProcedure } from "./procedures.js";

/**
 * Inputs for one procedure: shapes its schema calls valid, those with one field made hostile,
 * wholly hostile values, and no input at all. `seeds` (optional, per procedure path) are extra
 * valid inputs to start from when a schema alone cannot reach a procedure's interesting paths.
 */
export function inputArbitrary(
  procedure: FuzzProcedure,
  known: KnownValues,
  seeds: readonly unknown[] = [],
): fc.Arbitrary<unknown> {
  const generated = procedure.schema ? arbitraryFor(procedure.schema, known) : fc.constant(undefined);
  const valid = seeds.length > 0 ? fc.oneof(generated, fc.constantFrom(...seeds)) : generated;
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: valid.chain(mutate), weight: 4 },
    { arbitrary: hostileValue, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** Every method Node's parser lets through to the app. CONNECT never gets there: Node owns it and closes the socket. */
const METHODS = http.METHODS.filter((method) => method !== "CONNECT");

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=utf-16",
  "text/plain",
  "text/html",
  "multipart/form-data; boundary=fuzz",
  "multipart/form-data",
  "application/x-www-form-urlencoded",
  "application/octet-stream",
  "application/jsonx",
  ";;",
];

export interface RawTrpcRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string | undefined;
}

/** Any method, content type and body on any /trpc path (real, batched or made up). */
export function rawTrpcRequest(paths: readonly string[]): fc.Arbitrary<RawTrpcRequest> {
  const path = fc.oneof(
    fc.constantFrom(...paths),
    fc.constantFrom("", "nope", "auth", "auth.me.extra", "auth.me,videos.list?batch=1", "videos.list?input=%7Bnot%20json"),
    // JSON.stringify first: encodeURIComponent throws on a lone surrogate, JSON escapes it.
    fc
      .tuple(fc.constantFrom(...paths), hostileString)
      .map(([real, noise]) => `${real}?input=${encodeURIComponent(JSON.stringify(noise))}`),
  );
  const body = fc.oneof(
    fc.constantFrom("{}", "{not json", "null", '{"0":{}}', "--fuzz\r\n\r\n--fuzz--"),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    hostileString,
  );
  return fc.record({
    method: fc.constantFrom(...METHODS),
    path,
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    body: fc.option(body, { nil: undefined }),
  });
}
