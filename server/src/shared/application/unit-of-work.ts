/**
 * Runs a function so that every repository call inside it shares one database transaction.
 * Use it when more than one write must agree; single writes need no unit of work.
 */
export interface UnitOfWork {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export const UNIT_OF_WORK = Symbol.for("UnitOfWork");
