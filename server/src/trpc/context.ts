/**
 * Resolves a use case from the composition root. Typed structurally so the router's public
 * type (and so the client's declarations) never mention the DI library.
 */
export type Resolve = <T>(useCase: new (...args: never[]) => T) => T;

export interface Context {
  requestId: string;
  ip: string | null;
  authorization: string | null;
  /** Development shows internal error messages and stacks; production never does. */
  exposeErrorDetails: boolean;
  resolve: Resolve;
}
