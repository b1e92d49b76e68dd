import { isTRPCClientError, type TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@reelbase/server/router";
import { ErrorCodes, type ErrorCode } from "@reelbase/server/error-codes";

export { ErrorCodes, type ErrorCode };

/** An error from a Reelbase call; `data` carries `errorCode`, `correlationId`, `fieldErrors`, ... */
export type ReelbaseError = TRPCClientError<AppRouter>;

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/**
 * True when `e` is an error the Reelbase server answered with (it has `data.errorCode`),
 * optionally with the given code: `isReelbaseError(e, ErrorCodes.EMAIL_TAKEN)`.
 * Network failures are TRPCClientErrors too, but without `data`, so they are not matched.
 */
export function isReelbaseError(e: unknown, code?: ErrorCode): e is ReelbaseError {
  if (!isTRPCClientError<AppRouter>(e)) return false;
  const actual: unknown = e.data?.errorCode;
  return typeof actual === "string" && (code === undefined || actual === code);
}

/**
 * The domain error code of a failed call, or undefined for non-server errors. A code this
 * client version does not know (a newer server) also gives undefined; the raw string stays
 * readable on `e.data.errorCode`.
 */
export function errorCodeOf(e: unknown): ErrorCode | undefined {
  if (!isReelbaseError(e)) return undefined;
  const code = e.data?.errorCode;
  return code !== undefined && isErrorCode(code) ? code : undefined;
}

function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}
