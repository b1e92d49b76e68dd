import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What every log line carries. There is one for the HTTP request (its access line) and one per
 * procedure call inside it, so each line of a batch names its own procedure. Mutable: auth
 * fills in the user as it learns it.
 */
export interface RequestContext {
  correlationId: string;
  ip?: string | undefined;
  userId?: string | undefined;
  path?: string | undefined;
  /** The HTTP request's context, for a procedure call's; the access line learns the user from it. */
  parent?: RequestContext | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs one procedure call in a context of its own, inheriting the request's correlation id and IP. */
export function runProcedureInContext<T>(path: string, fn: () => T): T {
  const request = storage.getStore();
  // The access line names every procedure of a batch.
  if (request) request.path = request.path ? `${request.path},${path}` : path;
  const own: RequestContext = {
    correlationId: request?.correlationId ?? "none",
    ip: request?.ip,
    userId: request?.userId,
    path,
    parent: request,
  };
  return storage.run(own, fn);
}

/** Records the authenticated user on the current context and on the request it belongs to. */
export function setContextUser(userId: string): void {
  const context = storage.getStore();
  if (!context) return;
  context.userId = userId;
  if (context.parent) context.parent.userId ??= userId;
}
