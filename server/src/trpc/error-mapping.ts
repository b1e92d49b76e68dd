import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/unstable-core-do-not-import";
import { z } from "zod";
import { DomainError, type ErrorKind } from "../shared/domain/domain-error.js";
import { ErrorCodes } from "../shared/domain/error-codes.js";

const TRPC_CODE_OF: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  BUSINESS_RULE: "UNPROCESSABLE_CONTENT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UPSTREAM_FAILED: "BAD_GATEWAY",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/** The one translation from domain failures to the protocol, used by every procedure. */
export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: TRPC_CODE_OF[error.kind], message: error.message, cause: error });
}

/** The errorCode a client sees when no domain error names one: every tRPC code has its own. */
const DEFAULT_ERROR_CODE: Record<TRPC_ERROR_CODE_KEY, string> = {
  PARSE_ERROR: ErrorCodes.MALFORMED_REQUEST,
  BAD_REQUEST: ErrorCodes.VALIDATION_FAILED,
  INTERNAL_SERVER_ERROR: ErrorCodes.INTERNAL,
  NOT_IMPLEMENTED: ErrorCodes.NOT_IMPLEMENTED,
  BAD_GATEWAY: ErrorCodes.UPSTREAM_FAILED,
  SERVICE_UNAVAILABLE: ErrorCodes.DEPENDENCY_UNAVAILABLE,
  GATEWAY_TIMEOUT: ErrorCodes.UPSTREAM_TIMEOUT,
  UNAUTHORIZED: ErrorCodes.UNAUTHENTICATED,
  PAYMENT_REQUIRED: ErrorCodes.PAYMENT_REQUIRED,
  FORBIDDEN: ErrorCodes.FORBIDDEN,
  NOT_FOUND: ErrorCodes.NOT_FOUND,
  METHOD_NOT_SUPPORTED: ErrorCodes.METHOD_NOT_ALLOWED,
  TIMEOUT: ErrorCodes.REQUEST_TIMEOUT,
  CONFLICT: ErrorCodes.CONFLICT,
  PRECONDITION_FAILED: ErrorCodes.PRECONDITION_FAILED,
  PAYLOAD_TOO_LARGE: ErrorCodes.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
  UNPROCESSABLE_CONTENT: ErrorCodes.BUSINESS_RULE_VIOLATED,
  PRECONDITION_REQUIRED: ErrorCodes.PRECONDITION_FAILED,
  TOO_MANY_REQUESTS: ErrorCodes.RATE_LIMITED,
  CLIENT_CLOSED_REQUEST: ErrorCodes.CLIENT_CLOSED_REQUEST,
};

export function errorCodeOf(error: TRPCError): string {
  if (error.cause instanceof DomainError) return error.cause.code;
  return DEFAULT_ERROR_CODE[error.code];
}

/**
 * Field errors keyed by dotted path ("" for the input as a whole): from a zod validation failure,
 * or from a VALIDATION_FAILED the application raised after the schema passed (a limit that is
 * configuration, a cursor that does not decode), keyed by the `field` its details name. Every
 * VALIDATION_FAILED carries them, so a client can always show the message beside its input.
 */
export function fieldErrorsOf(error: TRPCError): Record<string, string[]> | undefined {
  const cause = error.cause;
  if (cause instanceof DomainError && cause.code === ErrorCodes.VALIDATION_FAILED) {
    const field = cause.details?.field;
    return { [typeof field === "string" ? field : ""]: [cause.message] };
  }
  if (!(cause instanceof z.ZodError)) return undefined;
  const fields: Record<string, string[]> = {};
  for (const issue of cause.issues) {
    const key = issue.path.map(String).join(".");
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

const CALLER_ERROR_KINDS: ReadonlySet<ErrorKind> = new Set(["BAD_REQUEST", "NOT_FOUND", "CONFLICT", "BUSINESS_RULE"]);

/**
 * A caller's mistake carries the facts needed to act on it (the active job's id, the tier's limit);
 * failures of our own or of outside services keep theirs in the logs.
 */
export function detailsOf(error: TRPCError): { details?: Readonly<Record<string, unknown>> } {
  const cause = error.cause;
  if (!(cause instanceof DomainError) || !cause.details || !CALLER_ERROR_KINDS.has(cause.kind)) return {};
  return { details: cause.details };
}
