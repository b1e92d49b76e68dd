import { isReelbaseError } from "@reelbase/client";

export interface ShownError {
  message: string;
  code: string | undefined;
  correlationId: string | undefined;
  retryAfterSeconds: number | undefined;
  /** Which input fields were refused and why ("" for the input as a whole), from a VALIDATION_FAILED. */
  fieldErrors: [field: string, messages: string[]][];
  /** The call got no answer from the API (offline, server down): asking again may work, a refusal would not. */
  unreachable: boolean;
}

/**
 * fetch rejects with a TypeError when no answer came at all; the browser's words for it ("Failed to
 * fetch", "Load failed", "NetworkError when attempting…") say nothing to the person reading them.
 */
function isUnreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  return error instanceof Error && error.cause instanceof TypeError;
}

/** What the page shows for a failed call: the server's message and the correlation id to quote. */
export function describeError(error: unknown): ShownError {
  if (isReelbaseError(error)) {
    const data = error.data as Record<string, unknown> | undefined;
    return {
      message: error.message,
      code: typeof data?.errorCode === "string" ? data.errorCode : undefined,
      correlationId: typeof data?.correlationId === "string" ? data.correlationId : undefined,
      retryAfterSeconds: typeof data?.retryAfterSeconds === "number" ? data.retryAfterSeconds : undefined,
      fieldErrors: fieldErrorsOf(data?.fieldErrors),
      unreachable: false,
    };
  }
  const unreachable = isUnreachable(error);
  const message = unreachable
    ? "Could not reach Reelbase. Check your connection and try again."
    : error instanceof Error
      ? error.message
      : String(error);
  return {
    message: message || "Something went wrong",
    code: undefined,
    correlationId: undefined,
    retryAfterSeconds: undefined,
    fieldErrors: [],
    unreachable,
  };
}

function fieldErrorsOf(value: unknown): [string, string[]][] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([field, messages]): [string, string[]][] =>
    Array.isArray(messages) ? [[field, messages.filter((message): message is string => typeof message === "string")]] : [],
  );
}
