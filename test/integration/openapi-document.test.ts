import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routerProcedures } from "../../server/src/openapi/procedures.js";
import { ErrorCodes } from "../../server/src/shared/domain/error-codes.js";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import {
  allRefs,
  compile,
  createAjv,
  inline,
  inputOf,
  isRecord,
  operationsOf,
  resolvePointer,
  responseSchema,
  type Json,
  type OpenApiDocument,
} from "../support/openapi.js";

/**
 * GET /openapi.json describes every procedure of appRouter from its own schemas, and is a sound
 * OpenAPI 3.1 document; GET /docs renders it from assets the API serves itself, under its CSP.
 */
describe("the OpenAPI document and the /docs page", () => {
  let api: HttpTestApi;
  let document: OpenApiDocument;
  let raw: Response;
  const procedures = routerProcedures(appRouter);

  beforeAll(async () => {
    api = await startHttpApi();
    raw = await fetch(`${api.url}/openapi.json`);
    document = (await raw.clone().json()) as OpenApiDocument;
  });
  afterAll(() => api?.close());

  it("is served as JSON, the same document on every request (built once at start-up)", async () => {
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    const again = await fetch(`${api.url}/openapi.json`);
    expect(await again.text()).toBe(await raw.clone().text());
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(String((document.info as Json).description)).toContain("?batch=1");
  });

  it("states the client's version as info.version: the published client's semver is the API's (docs/adr/0028-api-evolution.md)", () => {
    const client = JSON.parse(readFileSync(new URL("../../client/package.json", import.meta.url), "utf8")) as { version: string };
    expect(
      (document.info as Json).version,
      "bump API_VERSION in server/src/http/app.ts together with client/package.json's version",
    ).toBe(client.version);
  });

  it("serves /docs as HTML whose every asset is same-origin, loads with the right type, under a CSP without inline scripts", async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp
        .split(";")
        .map((part) => part.trim().split(/\s+/))
        .map(([key = "", ...values]) => [key, values]),
    );
    const scriptSrc = directives.get("script-src") ?? directives.get("default-src") ?? [];
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    // The rest of the API keeps helmet's policy; the page has the same one without upgrade-insecure-requests
    // (its assets are same-origin: upgrading them would only break the page on a plain-HTTP address).
    const global = (await fetch(`${api.url}/trpc/auth.me`)).headers.get("content-security-policy") ?? "";
    expect(global).toContain("upgrade-insecure-requests");
    expect((await fetch(`${api.url}/openapi.json`)).headers.get("content-security-policy")).toBe(global);
    expect(csp).toBe(global.replace(/;?upgrade-insecure-requests/, ""));

    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // no inline script
    expect(html).not.toMatch(/\son\w+=/i); // no inline handlers
    const assets = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(assets.length).toBeGreaterThanOrEqual(4);
    const types: Record<string, RegExp> = { js: /javascript/, css: /^text\/css/, png: /^image\/png/ };
    for (const asset of assets) {
      expect(asset, "same origin, by absolute path").toMatch(/^\/(?!\/)/);
      const response = await fetch(new URL(asset, api.url));
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("content-type"), asset).toMatch(types[asset.split(".").pop() ?? ""] ?? /^$/);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const initializer = await (
      await fetch(new URL(assets.find((asset) => asset.endsWith("docs-init.js")) ?? "/", api.url))
    ).text();
    expect(initializer).toContain('"/openapi.json"');
    expect(initializer).toContain("validatorUrl: null");
    // Only the page's files of swagger-ui-dist are served, not its demo page.
    expect((await fetch(`${api.url}/docs/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${api.url}/docs/assets/../package.json`)).status).toBe(404);
  });

  it("has one operation per procedure of the router, named by its path, with its method", () => {
    const operations = operationsOf(document);
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    for (const procedure of procedures) {
      const operation = operations.find(({ operationId }) => operationId === procedure.path);
      expect(operation?.path, procedure.path).toBe(`/trpc/${procedure.path}`);
      expect(operation?.method, procedure.path).toBe(procedure.type === "mutation" ? "post" : "get");
      expect(operation?.trpcType, procedure.path).toBe(procedure.type);
      expect(operation?.op.tags, procedure.path).toEqual([procedure.path.split(".")[0]]);
    }
  });

  it("describes the input and output of every procedure that has them", () => {
    const operations = operationsOf(document);
    for (const procedure of procedures) {
      const { op } = operations.find(({ operationId }) => operationId === procedure.path) ?? { op: {} };
      const input = inputOf(document, op);
      if (procedure.inputs.length === 0) expect(input, procedure.path).toBeNull();
      else {
        expect(input?.schema, procedure.path).toMatchObject({ type: "object" });
        // The absent input is read as {} (trpc/middlewares/absent-input.middleware.ts): every input is an object.
        expect(input?.required, procedure.path).toBe(
          !procedure.inputs.every((parser) => isRecord(parser) && safeParsesEmpty(parser)),
        );
      }
      if (procedure.type === "subscription") {
        expect(responseSchema(document, op, 200, "text/event-stream"), procedure.path).toEqual({ type: "string" });
        continue;
      }
      const success = responseSchema(document, op, 200) as Json;
      const data = (((success.properties as Json).result as Json).properties as Json).data;
      if (procedure.output === undefined) expect(data, procedure.path).toEqual({});
      else expect(Object.keys(data as Json).length, procedure.path).toBeGreaterThan(0);
    }
  });

  it("answers every error status with the error shape, whose errorCode enum is every ErrorCode", () => {
    const statuses = ["400", "401", "403", "404", "409", "422", "429", "500", "503", "default"];
    for (const { operationId, op } of operationsOf(document)) {
      expect(Object.keys(op.responses as Json), operationId).toEqual(expect.arrayContaining(statuses));
      for (const status of statuses) {
        const schema = responseSchema(document, op, status === "default" ? 599 : Number(status));
        expect(schema, `${operationId} ${status}`).toEqual({ $ref: "#/components/schemas/ErrorResponse" });
      }
    }
    expect(document.components.schemas.ErrorCode).toMatchObject({ type: "string", enum: Object.values(ErrorCodes) });
  });

  it("states each operation's security from its base procedure: public, session, admin, or session or API key with a scope", () => {
    const security = (id: string) => operationsOf(document).find(({ operationId }) => operationId === id)?.op.security;
    expect(security("auth.login")).toEqual([]);
    expect(security("auth.me")).toEqual([{ bearerAuth: [] }]);
    expect(security("admin.users.list")).toEqual([{ bearerAuth: [] }]);
    expect(security("videos.list")).toEqual([{ bearerAuth: [] }, { apiKeyAuth: ["videos:read"] }]);
    expect(security("videos.playback")).toEqual([{ bearerAuth: [] }, { apiKeyAuth: ["videos:read"] }]);
    expect(security("jobs.cancel")).toEqual([{ bearerAuth: [] }, { apiKeyAuth: ["jobs:write"] }]);
    const schemes = (document.components as Json).securitySchemes as Json;
    expect(schemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(schemes.apiKeyAuth).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    for (const procedure of procedures)
      expect(procedure.access, `${procedure.path} is built on a base procedure of trpc/init.ts`).not.toBeNull();
    for (const { operationId, op } of operationsOf(document)) {
      expect(Array.isArray(op.security), operationId).toBe(true);
      for (const requirement of op.security as Json[])
        for (const scheme of Object.keys(requirement)) expect(schemes).toHaveProperty(scheme);
    }
  });

  it("is structurally sound OpenAPI 3.1: every $ref resolves, every schema compiles as draft 2020-12", () => {
    const refs = allRefs(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolvePointer(document, ref), ref).toBeDefined();
    expect(Array.isArray(document.servers) && document.servers.length > 0).toBe(true);
    for (const path of Object.keys(document.paths)) expect(path).toMatch(/^\/trpc\/[\w.]+$/);
    const ajv = createAjv(document);
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => compile(ajv, { $ref: `#/components/schemas/${name}` }), name).not.toThrow();
    }
    for (const { operationId, op } of operationsOf(document)) {
      expect(op.responses, operationId).toHaveProperty("200");
      const input = inputOf(document, op);
      if (input) expect(() => compile(ajv, input.schema), operationId).not.toThrow();
      for (const status of Object.keys(op.responses as Json)) {
        const response = inline(document, (op.responses as Json)[status]) as Json;
        expect(typeof response.description, `${operationId} ${status}`).toBe("string");
        for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) {
          expect(() => compile(ajv, media.schema), `${operationId} ${status}`).not.toThrow();
        }
      }
      for (const parameter of (op.parameters ?? []) as Json[]) {
        expect(["query", "header"]).toContain(parameter.in);
        expect(
          "schema" in parameter !== "content" in parameter,
          `${operationId} ${String(parameter.name)}: schema or content`,
        ).toBe(true);
      }
    }
  });
});

function safeParsesEmpty(parser: Json): boolean {
  const safeParse = parser.safeParse;
  return typeof safeParse === "function" && (safeParse.call(parser, {}) as { success: boolean }).success;
}
