import type { ErrorCode } from "./error-codes.js";

/**
 * How a failure should be understood by a caller, independent of any transport.
 * The presentation layer maps each kind onto a protocol status in exactly one place.
 */
export type ErrorKind =
  | "BAD_REQUEST"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "BUSINESS_RULE"
  | "RATE_LIMITED"
  | "UPSTREAM_FAILED"
  | "UNAVAILABLE";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
