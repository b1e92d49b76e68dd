import type { RateLimits } from "../shared/application/rate-limits.js";

/**
 * Resolves a use case from the composition root. Typed structurally so the router's public
 * type (and so the client's declarations) never mention the DI library.
 */
export type Resolve = <T>(useCase: new (...args: never[]) => T) => T;

/**
 * What a procedure or middleware adds to the HTTP answer: headers (set, by lower- or mixed-case
 * name) and, rarely, the status. One per HTTP request, so every call of a batch writes to the same
 * one; both paths of the HTTP adapter apply it through `responseMeta`.
 */
export interface ResponseMeta {
  headers: Record<string, string>;
  status?: number;
}

export interface Context {
  requestId: string;
  ip: string | null;
  authorization: string | null;
  /** Development shows internal error messages and stacks; production never does. */
  exposeErrorDetails: boolean;
  resolve: Resolve;
  response: ResponseMeta;
  rateLimits: RateLimits;
}
