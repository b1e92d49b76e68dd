import type { Container, Newable, ServiceIdentifier } from "inversify";

/** Node 20 has no Promise.withResolvers. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

export interface Hold {
  /** Resolves once the held call was made: the caller is now parked between its load and its write. */
  reached: Promise<void>;
  /** Lets the held call through. */
  release(): void;
}

/**
 * Parks the next call of `method` on the adapter bound to `token` until `release()`, so a test
 * can run a whole competing request inside another request's read-modify-write window, every
 * time, instead of hoping a race overlaps. Only the first call is held; later ones pass.
 *
 * Use cases are singletons that captured their adapters when first built, so the ones that
 * must see the held adapter are rebound too. Call `container.snapshot()` before and
 * `container.restore()` after.
 */
export function holdNextCall<T extends object>(
  container: Container,
  token: ServiceIdentifier<T>,
  method: keyof T & string,
  dependents: Newable<object>[],
): Hold {
  const real = container.get<T>(token);
  const reached = deferred();
  const release = deferred();
  let armed = true;
  const held = new Proxy(real, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const call = (...args: unknown[]): unknown => (value as (...a: unknown[]) => unknown).apply(target, args);
      if (property !== method) return call;
      return async (...args: unknown[]) => {
        if (armed) {
          armed = false;
          reached.resolve();
          await release.promise;
        }
        return call(...args);
      };
    },
  });
  container.rebind(token).toConstantValue(held);
  for (const dependent of dependents) container.rebind(dependent).toSelf().inSingletonScope();
  return { reached: reached.promise, release: release.resolve };
}

/**
 * A request started now and awaited later: marks its rejection handled so Node does not report
 * it while the test is busy elsewhere; awaiting the returned promise still sees the rejection.
 */
export function inFlight<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
