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

/** The errorCode a client sees when no domain error names one. */
const DEFAULT_ERROR_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  BAD_REQUEST: ErrorCodes.VALIDATION_FAILED,
  PARSE_ERROR: ErrorCodes.VALIDATION_FAILED,
  PAYLOAD_TOO_LARGE: ErrorCodes.VALIDATION_FAILED,
  UNAUTHORIZED: ErrorCodes.UNAUTHENTICATED,
  FORBIDDEN: ErrorCodes.FORBIDDEN,
  NOT_FOUND: ErrorCodes.NOT_FOUND,
  TOO_MANY_REQUESTS: ErrorCodes.RATE_LIMITED,
};

export function errorCodeOf(error: TRPCError): string {
  if (error.cause instanceof DomainError) return error.cause.code;
  return DEFAULT_ERROR_CODE[error.code] ?? ErrorCodes.INTERNAL;
}

/** Field errors keyed by dotted path ("" for the input as a whole), from a zod validation failure. */
export function fieldErrorsOf(error: TRPCError): Record<string, string[]> | undefined {
  if (!(error.cause instanceof z.ZodError)) return undefined;
  const fields: Record<string, string[]> = {};
  for (const issue of error.cause.issues) {
    const key = issue.path.map(String).join(".");
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}
