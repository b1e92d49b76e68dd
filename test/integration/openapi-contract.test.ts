import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { registerAdminOverHttp, resultOf } from "../support/http-admin.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import {
  compile,
  createAjv,
  exampleOf,
  inputOf,
  isRecord,
  operationsOf,
  responseSchema,
  type ExampleContext,
  type Json,
  type OpenApiDocument,
  type Operation,
} from "../support/openapi.js";
import { backends } from "../support/test-app.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/**
 * The contract: every query and mutation the document lists is called with an example derived from
 * its documented input schema, and every answer validates against what the document says of that
 * status (its output in the result envelope for a 2xx, the error shape otherwise). Operations come
 * from GET /openapi.json, so a procedure added to the router is called here with no line to add; one
 * whose example cannot be made useful still gets called and must answer a documented 4xx. Never a 5xx.
 */
const DESTRUCTIVE = /^(delete|remove|revoke|logout|cancel|disable|destroy)/i;

interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

describe.each(backends())("every documented operation answers as documented on %s", (backend) => {
  let api: HttpTestApi;
  let document: OpenApiDocument;
  let operations: Operation[];
  let admin: Awaited<ReturnType<typeof registerAdminOverHttp>>;
  let apiKey: string;
  let context: Omit<ExampleContext, "path" | "hints">;
  let ajv: ReturnType<typeof createAjv>;
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    // A webhook URL on loopback is accepted, so webhooks.* meet a real endpoint; its deliveries go to
    // the discard port and fail, which no call here waits for.
    api = await startHttpApi(backend, { WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" });
    document = (await (await fetch(`${api.url}/openapi.json`)).json()) as OpenApiDocument;
    operations = operationsOf(document);
    ajv = createAjv(document);
    admin = await registerAdminOverHttp(api, "contract-admin");
    const other = await resultOf<{ user: { id: string } }>(
      await api.post("/trpc/auth.register", { email: uniqueEmail("contract-other"), password: PASSWORD }),
    );
    const video = await resultOf<{ id: string }>(await api.post("/trpc/videos.create", { title: "contract" }, admin.headers));
    // Every scope the document knows of, read from apiKeys.create's own input schema.
    const create = operations.find(({ operationId }) => operationId === "apiKeys.create");
    const scopes = create ? scopesOf(inputOf(document, create.op)?.schema) : [];
    const key = await resultOf<{ id: string; key: string }>(
      await api.post("/trpc/apiKeys.create", { name: "contract", scopes }, admin.headers),
    );
    apiKey = key.key;
    // The one apiKeys.revoke gets: revoking the caller's own key would leave later calls without it.
    const spare = await resultOf<{ id: string }>(
      await api.post("/trpc/apiKeys.create", { name: "contract spare", scopes: ["videos:read"] }, admin.headers),
    );
    const generated = await resultOf<{ job: { id: string } }>(
      await api.post("/trpc/videos.generate", { title: "contract", script: "Contract.", quality: "P360" }, admin.headers),
    );
    context = {
      ids: { videoId: video.id, jobId: generated.job.id, userId: other.user.id },
      // Whose "id" a path's input means: the other user's for admin.*, so no call changes the caller itself.
      idsByPrefix: [
        ["videos.", video.id],
        ["jobs.", generated.job.id],
        ["apiKeys.", spare.id],
        ["admin.", other.user.id],
      ],
    };
  });
  afterAll(() => api?.close());

  /** A fresh session per call, so a call that ends sessions (logout, a password change) ends only its own. */
  async function session(): Promise<{ headers: Record<string, string>; refreshToken: string }> {
    const tokens = await resultOf<{ accessToken: string; refreshToken: string }>(
      await api.post("/trpc/auth.login", { email: admin.email, password: PASSWORD }),
    );
    return { headers: { authorization: `Bearer ${tokens.accessToken}` }, refreshToken: tokens.refreshToken };
  }

  async function call(operation: Operation, input: unknown, headers: Record<string, string>): Promise<Answer> {
    const url = new URL(operation.path, api.url);
    if (operation.method === "get" && input !== undefined) url.searchParams.set("input", JSON.stringify(input));
    const response = await fetch(url, {
      method: operation.method.toUpperCase(),
      headers: { "content-type": "application/json", ...headers },
      ...(operation.method === "post" && input !== undefined ? { body: JSON.stringify(input) } : {}),
    });
    const contentType = response.headers.get("content-type") ?? "";
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: a problem below unless the document says so
    }
    return { status: response.status, contentType, body };
  }

  /** What is wrong with an answer, by the document; empty when it is as documented. */
  function problemsOf(operation: Operation, answer: Answer): string[] {
    if (answer.status >= 500) return [`${answer.status}: ${JSON.stringify(answer.body)}`];
    if (!answer.contentType.startsWith("application/json")) return [`${answer.status} with content type ${answer.contentType}`];
    const key = `${operation.operationId} ${answer.status}`;
    let validate = validators.get(key);
    if (!validate) {
      const schema = responseSchema(document, operation.op, answer.status);
      if (schema === undefined) return [`${answer.status} is not documented`];
      validate = compile(ajv, schema);
      validators.set(key, validate);
    }
    if (validate(answer.body)) return [];
    return [`${answer.status} does not match the document: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer.body)}`];
  }

  it("answers every query and mutation with its documented output or a documented error", { timeout: 180_000 }, async () => {
    const callable = operations.filter(({ trpcType }) => trpcType !== "subscription").sort((a, b) => rank(a) - rank(b));
    expect(callable.length).toBeGreaterThan(20);
    const problems: string[] = [];
    const succeeded: string[] = [];
    for (const operation of callable) {
      const { headers, refreshToken } = await session();
      const hints = { email: admin.email, password: PASSWORD, currentPassword: PASSWORD, newPassword: PASSWORD, refreshToken };
      const documented = inputOf(document, operation.op);
      const input = documented ? exampleOf(documented.schema, { ...context, path: operation.operationId, hints }) : undefined;
      const record = (label: string, answer: Answer) => {
        for (const problem of problemsOf(operation, answer)) problems.push(`${operation.operationId} (${label}): ${problem}`);
      };

      const answer = await call(operation, input, headers);
      record(`session, input ${JSON.stringify(input)}`, answer);
      if (answer.status < 300) succeeded.push(operation.operationId);
      // What a router's create made is the "id" its other procedures get, unless setup chose one.
      const created = createdId(operation, answer);
      if (created) context.idsByPrefix.push([operation.operationId.replace(/[^.]+$/, ""), created]);

      // An input the document calls optional may be left out.
      if (documented && !documented.required && operation.trpcType === "query") {
        const bare = await call(operation, undefined, headers);
        record("session, no input", bare);
        if (bare.status >= 300) problems.push(`${operation.operationId}: optional input left out answered ${bare.status}`);
      }

      // The documented security: no credentials is 401 where any are needed; an API key is 403 where only sessions are.
      const security = Array.isArray(operation.op.security) ? (operation.op.security as Json[]) : [];
      const keyAllowed = security.some((requirement) => "apiKeyAuth" in requirement);
      if (security.length > 0) {
        const anonymous = await call(operation, input, {});
        record("no credentials", anonymous);
        if (anonymous.status !== 401) problems.push(`${operation.operationId}: no credentials answered ${anonymous.status}`);
        const byKey = await call(operation, input, { authorization: `ApiKey ${apiKey}` });
        record("API key", byKey);
        if (!keyAllowed && byKey.status !== 403) problems.push(`${operation.operationId}: an API key answered ${byKey.status}`);
      }
    }
    if (process.env.CONTRACT_VERBOSE)
      console.log({ succeeded, refused: callable.map((o) => o.operationId).filter((id) => !succeeded.includes(id)) });
    expect(problems).toEqual([]);
    // The examples reach the procedures, not just their validation: most calls succeed.
    expect(succeeded).toEqual(
      expect.arrayContaining([
        "auth.me",
        "videos.get",
        "videos.list",
        "jobs.get",
        "credits.ledger",
        "videos.analytics",
        "admin.stats",
      ]),
    );
    expect(succeeded.length).toBeGreaterThan(callable.length / 2);
  });

  it("refuses a subscription before its stream with a documented error, and streams text/event-stream to its caller", async () => {
    const subscriptions = operations.filter(({ trpcType }) => trpcType === "subscription");
    expect(subscriptions.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const operation of subscriptions) {
      const documented = inputOf(document, operation.op);
      const { headers, refreshToken } = await session();
      const input = documented
        ? exampleOf(documented.schema, { ...context, path: operation.operationId, hints: { refreshToken } })
        : undefined;
      const url = new URL(operation.path, api.url);
      if (input !== undefined) url.searchParams.set("input", JSON.stringify(input));

      const refused = await fetch(url);
      const answer = {
        status: refused.status,
        contentType: refused.headers.get("content-type") ?? "",
        body: await refused.json(),
      };
      for (const problem of problemsOf(operation, answer)) problems.push(`${operation.operationId} (no credentials): ${problem}`);

      const abort = new AbortController();
      const stream = await fetch(url, { headers, signal: abort.signal });
      if (stream.status === 200) {
        expect(stream.headers.get("content-type"), operation.operationId).toMatch(/^text\/event-stream/);
        expect(responseSchema(document, operation.op, 200, "text/event-stream")).toBeDefined();
      } else {
        const body: unknown = await stream.json();
        const refusal = { status: stream.status, contentType: stream.headers.get("content-type") ?? "", body };
        for (const problem of problemsOf(operation, refusal)) problems.push(`${operation.operationId} (session): ${problem}`);
      }
      abort.abort();
    }
    expect(problems).toEqual([]);
  });
});

/** Creations first (their ids feed the rest), then queries, other mutations, and last the ones that end or remove something. */
function rank(operation: Operation): number {
  const name = operation.operationId.split(".").pop() ?? "";
  if (operation.trpcType === "mutation" && name === "create") return 0;
  if (DESTRUCTIVE.test(name)) return 3;
  return operation.trpcType === "query" ? 1 : 2;
}

function createdId(operation: Operation, answer: Answer): string | null {
  if (answer.status >= 300 || !operation.operationId.endsWith(".create") || !isRecord(answer.body)) return null;
  const data = isRecord(answer.body.result) ? answer.body.result.data : undefined;
  return isRecord(data) && typeof data.id === "string" ? data.id : null;
}

function scopesOf(schema: Json | undefined): string[] {
  const scopes = isRecord(schema?.properties) ? schema.properties.scopes : undefined;
  const items = isRecord(scopes) ? scopes.items : undefined;
  return isRecord(items) && Array.isArray(items.enum) ? items.enum.map(String) : [];
}
