import type { Container, Newable } from "inversify";
import type { Resolve } from "./context.js";

/** Kept apart from context.ts so the context's type, which the client sees, never names inversify. */
export function resolveFrom(container: Container): Resolve {
  return <T>(useCase: new (...args: never[]) => T): T => container.get<T>(useCase as Newable<T>);
}
