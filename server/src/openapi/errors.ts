import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/unstable-core-do-not-import";
import { ErrorCodes } from "../shared/domain/error-codes.js";
import type { JsonSchema } from "./json-schema.js";

/** The statuses a procedure can answer with an error, named as in components.responses. */
export const ERROR_RESPONSES: ReadonlyArray<{ status: number; name: string; description: string }> = [
  {
    status: 400,
    name: "BadRequest",
    description:
      "Invalid input (`VALIDATION_FAILED`, with `fieldErrors` by dotted path) or an unreadable request (`MALFORMED_REQUEST`).",
  },
  {
    status: 401,
    name: "Unauthorized",
    description:
      "No or bad credentials (`UNAUTHENTICATED`, `INVALID_ACCESS_TOKEN`, `INVALID_API_KEY`, `INVALID_CREDENTIALS`, …).",
  },
  {
    status: 403,
    name: "Forbidden",
    description:
      "Not allowed: a missing role (`ADMIN_REQUIRED`), an API key without the scope (`API_KEY_SCOPE_MISSING`) or where only a session may call (`API_KEY_NOT_ALLOWED`), a disabled user.",
  },
  {
    status: 404,
    name: "NotFound",
    description: "Absent, or not the caller's (`NOT_FOUND`, `VIDEO_NOT_FOUND`, `JOB_NOT_FOUND`, …).",
  },
  {
    status: 409,
    name: "Conflict",
    description: "A conflict (`EMAIL_TAKEN`, `JOB_ALREADY_ACTIVE` with the active job's id in `details.jobId`, …).",
  },
  {
    status: 422,
    name: "UnprocessableContent",
    description:
      "A business rule refused the call (`VIDEO_INVALID_STATE`, `INSUFFICIENT_CREDITS`, `RENDITION_EXISTS`, …), with the facts in `details`.",
  },
  {
    status: 429,
    name: "TooManyRequests",
    description: "Rate limited (`RATE_LIMITED`): come back after `Retry-After` seconds (also `data.retryAfterSeconds`).",
  },
  {
    status: 500,
    name: "InternalServerError",
    description: "Unexpected (`INTERNAL`): a generic message; outside production `data.stack` too.",
  },
  { status: 502, name: "BadGateway", description: "An outside service failed (`UPSTREAM_FAILED`, `STORAGE_FAILED`, …)." },
  {
    status: 503,
    name: "ServiceUnavailable",
    description: "A dependency is unavailable (`DEPENDENCY_UNAVAILABLE`, `STORAGE_UNAVAILABLE`, `GENERATION_UNAVAILABLE`).",
  },
];

/** Every stable errorCode (server/src/shared/domain/error-codes.ts). */
export const errorCodeSchema: JsonSchema = {
  type: "string",
  enum: Object.values(ErrorCodes),
  description: "A stable code to switch on; never renamed.",
};

/** The error of every refused call, as trpc/trpc.ts's errorFormatter writes it. */
export const errorResponseSchema: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "data"],
      properties: {
        code: { type: "integer", description: "The JSON-RPC 2.0 error code tRPC uses (e.g. -32600)." },
        message: { type: "string" },
        data: {
          type: "object",
          required: ["code", "httpStatus", "path", "errorCode", "correlationId"],
          properties: {
            code: { type: "string", enum: Object.keys(TRPC_ERROR_CODES_BY_KEY), description: "tRPC's error code." },
            httpStatus: { type: "integer", minimum: 400, maximum: 599 },
            path: { type: ["string", "null"], description: "The procedure's path." },
            errorCode: { $ref: "#/components/schemas/ErrorCode" },
            correlationId: {
              type: ["string", "null"],
              description: "The request's id, also the `X-Request-Id` response header (an incoming one is kept).",
            },
            fieldErrors: {
              type: "object",
              additionalProperties: { type: "array", items: { type: "string" } },
              description: 'With `VALIDATION_FAILED`: messages by the field\'s dotted path (`""` for the input as a whole).',
            },
            details: {
              type: "object",
              description: 'For a caller\'s mistake, the facts to act on (e.g. `{"quality": "P360", "jobId": "…"}`).',
            },
            retryAfterSeconds: { type: "number", minimum: 0, description: "With `RATE_LIMITED`." },
            stack: { type: "string", description: "A 500's stack, outside production only." },
          },
        },
      },
    },
  },
};
