import type { AnyTRPCRouter } from "@trpc/server";
import type { ProcedureAccess, ProcedureDeprecation } from "../trpc/init.js";
import { ERROR_RESPONSES, errorCodeSchema, errorResponseSchema } from "./errors.js";
import { registerSchema, type JsonSchema, type SchemaComponents } from "./json-schema.js";
import { acceptsAbsentInput, routerProcedures, type ProcedureInfo } from "./procedures.js";

export interface OpenApiOptions {
  /** The API's URL (PUBLIC_URL), or a path relative to the document. */
  serverUrl: string;
  version: string;
}

export type OpenApiDocument = JsonSchema & { paths: Record<string, Record<string, JsonSchema>> };

const BEARER = "bearerAuth";
const API_KEY = "apiKeyAuth";

const DESCRIPTION = `Every procedure of the tRPC router, over plain JSON (no transformer).

- A **query** is \`GET /trpc/<procedure>?input=<URL-encoded JSON>\`; an input whose fields are all optional may be left out.
- A **mutation** is \`POST /trpc/<procedure>\` with the input as a JSON body.
- A **subscription** is \`GET /trpc/<procedure>?input=…\` answered with Server-Sent Events (\`text/event-stream\`); each event's \`id\` can be sent back as \`lastEventId\` (in the input, or the \`Last-Event-ID\` header) to resume. Refused calls answer JSON errors before the stream opens.
- A success is \`{"result": {"data": <output>}}\`; a failure has the HTTP status and \`{"error": {"code", "message", "data": {"code", "httpStatus", "path", "errorCode", "correlationId", …}}}\` (\`errorCode\` is stable: see the \`ErrorCode\` schema).
- **Batching**: several calls in one request join their paths with commas and add \`?batch=1\`: \`GET /trpc/videos.get,jobs.list?batch=1&input={"0":{"id":"…"},"1":{}}\`, or \`POST /trpc/a,b?batch=1\` with \`{"0": <input>, "1": <input>}\` (mutations only). The answer is a JSON array with one envelope per call, in order; its status is the calls' common status, or 207 when they differ.
- Credentials: \`Authorization: Bearer <access token>\` (from \`auth.register\`, \`auth.login\`, \`auth.refresh\`) or \`Authorization: ApiKey rb_live_…\` (from \`apiKeys.create\`). Each operation says which it accepts.
- Every answer carries \`X-Request-Id\` and \`Cache-Control: no-store\`.`;

/** The OpenAPI 3.1 document of the router, from the procedures' own zod schemas and base procedures. */
export function buildOpenApiDocument(router: AnyTRPCRouter, options: OpenApiOptions): OpenApiDocument {
  const schemas: SchemaComponents = { ErrorCode: errorCodeSchema, ErrorResponse: errorResponseSchema };
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags: string[] = [];
  for (const procedure of routerProcedures(router)) {
    const tag = procedure.path.split(".")[0] ?? procedure.path;
    if (!tags.includes(tag)) tags.push(tag);
    const method = procedure.type === "mutation" ? "post" : "get";
    paths[`/trpc/${procedure.path}`] = { [method]: operation(procedure, tag, schemas) };
  }
  return {
    openapi: "3.1.1",
    info: { title: "Reelbase API", version: options.version, description: DESCRIPTION },
    servers: [{ url: options.serverUrl }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas,
      responses: Object.fromEntries([
        ...ERROR_RESPONSES.map(({ status, name, description }) => [name, errorResponse(`${status}: ${description}`, status)]),
        ["Error", errorResponse("Any other error status, e.g. 405 (wrong method), 413 (body too large), 415 (content type).")],
      ]),
      headers: {
        "X-Request-Id": { description: "The request's correlation id (an incoming one is kept).", schema: { type: "string" } },
        "Retry-After": { description: "Seconds until the call may be made again.", schema: { type: "integer" } },
        "RateLimit-Limit": { description: "The budget's points.", schema: { type: "integer" } },
        "RateLimit-Remaining": { description: "Points left.", schema: { type: "integer" } },
        "RateLimit-Reset": { description: "Seconds until the budget is full again.", schema: { type: "integer" } },
      },
      securitySchemes: {
        [BEARER]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A session's access token (15 minutes) from auth.register, auth.login or auth.refresh.",
        },
        [API_KEY]: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            "An API key from apiKeys.create, sent as `Authorization: ApiKey rb_live_…` (type the `ApiKey ` prefix too). The requirement lists the scope the key must carry.",
        },
      },
    },
  };
}

const RATE_LIMIT_HEADERS = Object.fromEntries(
  ["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"].map((name) => [
    name,
    { $ref: `#/components/headers/${name}` },
  ]),
);

function errorResponse(description: string, status?: number): JsonSchema {
  return {
    description,
    headers: { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" }, ...(status === 429 ? RATE_LIMIT_HEADERS : {}) },
    content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorResponse" } } },
  };
}

function operation(procedure: ProcedureInfo, tag: string, schemas: SchemaComponents): JsonSchema {
  const { path, type, inputs, output } = procedure;
  const input = inputs.length > 0 ? registerSchema(schemas, `${path}.input`, inputs, "input") : null;
  const required = !acceptsAbsentInput(inputs);
  const result: JsonSchema = {
    operationId: path,
    tags: [tag],
    summary: `${path} (${type})`,
    description: accessDescription(procedure.access),
    "x-trpc-type": type,
    security: security(procedure.access),
  };
  if (procedure.deprecated) {
    result.deprecated = true;
    result.description = `${deprecationDescription(procedure.deprecated)}\n\n${String(result.description)}`;
  }
  if (input && type === "mutation") {
    result.requestBody = { required, content: { "application/json": { schema: input } } };
  } else if (input) {
    result.parameters = [
      {
        name: "input",
        in: "query",
        required,
        description: required
          ? "The input as URL-encoded JSON."
          : "The input as URL-encoded JSON; leave it out for the defaults.",
        content: { "application/json": { schema: input } },
      },
    ];
  }
  if (type === "subscription") {
    result.parameters = [
      ...(Array.isArray(result.parameters) ? result.parameters : []),
      {
        name: "Last-Event-ID",
        in: "header",
        required: false,
        description: "The last event's id, to resume after a dropped connection.",
        schema: { type: "string" },
      },
    ];
  }
  const success =
    type === "subscription"
      ? {
          description:
            "The event stream: each `data:` line is one event's JSON, each `id:` its resume point; the stream ends when the subject does.",
          headers: { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } },
          content: { "text/event-stream": { schema: { type: "string" } } },
        }
      : {
          description: "The result.",
          headers: { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } },
          content: {
            "application/json": {
              schema: envelope(output === undefined ? {} : registerSchema(schemas, `${path}.output`, [output], "output")),
            },
          },
        };
  result.responses = {
    "200": success,
    ...Object.fromEntries(
      ERROR_RESPONSES.map(({ status, name }) => [String(status), { $ref: `#/components/responses/${name}` }]),
    ),
    default: { $ref: "#/components/responses/Error" },
  };
  return result;
}

function envelope(data: JsonSchema): JsonSchema {
  return {
    type: "object",
    required: ["result"],
    properties: { result: { type: "object", required: ["data"], properties: { data } } },
  };
}

function security(access: ProcedureAccess | null): JsonSchema[] {
  switch (access?.kind) {
    case "public":
      return [];
    case "caller":
      return [{ [BEARER]: [] }, { [API_KEY]: access.scope ? [access.scope] : [] }];
    case "session":
    case "admin":
      return [{ [BEARER]: [] }];
    default:
      return [{ [BEARER]: [] }, { [API_KEY]: [] }];
  }
}

function accessDescription(access: ProcedureAccess | null): string {
  switch (access?.kind) {
    case "public":
      return "Public: no credentials needed.";
    case "caller":
      return access.scope
        ? `A session (bearer access token), or an API key with the \`${access.scope}\` scope.`
        : "A session (bearer access token), or an API key with any scope.";
    case "session":
      return "A session only (bearer access token); an API key is refused with 403 `API_KEY_NOT_ALLOWED`.";
    case "admin":
      return "An administrator's session (bearer access token); others are refused with 403 `ADMIN_REQUIRED`.";
    default:
      return "Credentials as the procedure requires.";
  }
}

/** Leads the operation's description: since when, what to call instead (docs/adr/0028-api-evolution.md). */
function deprecationDescription({ since, use, reason }: ProcedureDeprecation): string {
  const instead = use ? ` Use \`${use}\` instead.` : "";
  return `**Deprecated** since ${since}; it is removed in a later major release.${instead}${reason ? ` ${reason}` : ""}`;
}
