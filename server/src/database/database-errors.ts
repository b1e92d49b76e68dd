import { DomainError } from "../shared/domain/domain-error.js";
import { ErrorCodes } from "../shared/domain/error-codes.js";

/**
 * Prisma's codes for "the database could not be reached or went away": can't reach the server,
 * timed out reaching it, operation timed out, server closed the connection, no pooled connection
 * in time, too many connections.
 */
const UNAVAILABLE_PRISMA_CODES: ReadonlySet<string> = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);

/**
 * PostgreSQL's own (SQLSTATE), as a driver error carries them through: connection exceptions
 * (class 08), the server shutting down or starting up (57P01–57P03), too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** Messages of failures that reach us without a code (pg's own, for a socket that died mid-query). */
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|Server has closed the connection|Connection terminated|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

export const DatabaseErrors = {
  /** Fixed text: the driver's message names the host and port. */
  unavailable: () =>
    new DomainError(ErrorCodes.DEPENDENCY_UNAVAILABLE, "UNAVAILABLE", "The database is temporarily unavailable", {
      dependency: "database",
    }),
};

/** The database is down, restarting or unreachable: not a bug, and worth trying again later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null || error instanceof DomainError) return false;
  const fields = error as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
  };
  if (typeof fields.code === "string" && (UNAVAILABLE_PRISMA_CODES.has(fields.code) || UNAVAILABLE_SQLSTATE.test(fields.code))) {
    return true;
  }
  const cause = fields.meta?.driverAdapterError?.cause;
  if (typeof cause?.originalCode === "string" && UNAVAILABLE_SQLSTATE.test(cause.originalCode)) return true;
  return error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message);
}

/** `error` itself, or the domain error that says the database is unavailable. */
export function translateDatabaseError(error: unknown): unknown {
  return isDatabaseUnavailable(error) ? DatabaseErrors.unavailable() : error;
}
