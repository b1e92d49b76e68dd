import { AsyncLocalStorage } from "node:async_hooks";

/** What every log line of a request carries. Mutable: auth and routing fill it in as they learn it. */
export interface RequestContext {
  correlationId: string;
  ip?: string | undefined;
  userId?: string | undefined;
  path?: string | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
