import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../server/src/openapi/document.js";
import { routerProcedures } from "../../server/src/openapi/procedures.js";
import { deprecationFixtureRouter } from "../fixtures/deprecation-router.js";
import { deprecationsIn, struckThroughPaths } from "../support/deprecations.js";
import { inline, inputOf, operationsOf, responseSchema, type Json, type OpenApiDocument } from "../support/openapi.js";

/**
 * How a deprecation reaches a caller (docs/adr/0028-api-evolution.md): `meta.deprecated` on the
 * procedure and `.meta({ deprecated: true })` on a field mark the OpenAPI document; the
 * `@deprecated` JSDoc on the router key reaches the typed client, whose editor strikes the call
 * through. No procedure of appRouter is deprecated today, so a fixture router stands in.
 */
describe("deprecating a procedure or a field", () => {
  const document = buildOpenApiDocument(deprecationFixtureRouter, { serverUrl: "/", version: "test" }) as OpenApiDocument;
  const operation = (id: string): Json => operationsOf(document).find(({ operationId }) => operationId === id)?.op ?? {};

  it("reads meta.deprecated from the procedure, and null from the others", () => {
    const deprecated = new Map(routerProcedures(deprecationFixtureRouter).map(({ path, deprecated }) => [path, deprecated]));
    expect(deprecated.get("clips.search")).toEqual({
      since: "1.4.0",
      use: "clips.list",
      reason: "It returns every clip at once.",
    });
    expect(deprecated.get("clips.list")).toBeNull();
    expect(deprecated.get("echo")).toBeNull();
  });

  it("marks the operation deprecated in the OpenAPI document, its description naming the release and the replacement", () => {
    const search = operation("clips.search");
    expect(search.deprecated).toBe(true);
    expect(String(search.description)).toMatch(
      /^\*\*Deprecated\*\* since 1\.4\.0; .*Use `clips\.list` instead\. It returns every clip at once\./,
    );
    expect(String(search.description)).toContain("Public: no credentials needed.");
    expect(operation("clips.list")).not.toHaveProperty("deprecated");
    expect(operation("echo")).not.toHaveProperty("deprecated");
  });

  it("stays valid OpenAPI 3.1 with its deprecations", async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("keeps a field's deprecated: true from zod's .meta() in the input and output schemas", () => {
    const echo = operation("echo");
    const input = inline(document, inputOf(document, echo)?.schema) as Json;
    expect((input.properties as Json).legacyText).toMatchObject({
      type: "string",
      deprecated: true,
      description: "Send `text`.",
    });
    expect((input.properties as Json).text).not.toHaveProperty("deprecated");
    const success = inline(document, responseSchema(document, echo, 200)) as Json;
    const data = inline(document, (((success.properties as Json).result as Json).properties as Json).data) as Json;
    expect((data.properties as Json).legacyText).toMatchObject({ type: "string", deprecated: true });
    expect((data.properties as Json).text).not.toHaveProperty("deprecated");
  });

  it("finds the struck-through procedures of a client by path, as the surface test does for appRouter", () => {
    const header = [
      'import type { TRPCClient } from "@trpc/client";',
      'import type { DeprecationFixtureRouter } from "./deprecation-router.js";',
      "declare const client: TRPCClient<DeprecationFixtureRouter>;",
    ];
    expect(struckThroughPaths("deprecation-paths-snippet.ts", header, ["clips.list", "clips.search", "echo"])).toEqual([
      "clips.search",
    ]);
  });

  it("carries the router key's @deprecated into createTRPCClient's types: the deprecated call is struck through, the others are not", () => {
    const snippet = [
      'import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";',
      'import type { DeprecationFixtureRouter } from "./deprecation-router.js";',
      'const client: TRPCClient<DeprecationFixtureRouter> = createTRPCClient<DeprecationFixtureRouter>({ links: [httpBatchLink({ url: "http://127.0.0.1:1/trpc" })] });',
      'export const old = client.clips.search.query({ q: "cat" });',
      "export const current = client.clips.list.query({});",
      'export const echoed = client.echo.query({ text: "hi" });',
      'export const legacy = client.echo.query({ legacyText: "hi" });',
      "export async function read(): Promise<string> {",
      '  const answer = await client.echo.query({ text: "hi" });',
      "  return answer.text + answer.legacyText;",
      "}",
    ].join("\n");
    const found = deprecationsIn("deprecation-snippet.ts", snippet);
    // Exactly two: the deprecated procedure (line 4; clips.list, echo and their calls are not), and
    // reading a deprecated output field (line 10; zod's inferred type keeps the key's declaration).
    // Sending a deprecated input field (line 7) is not struck through: TypeScript does not flag a key
    // of an object literal argument; the document's deprecated: true says it.
    expect(found.map(({ name, line, code }) => ({ name, line, code }))).toEqual([
      { name: "search", line: 4, code: 6385 },
      { name: "legacyText", line: 10, code: 6385 },
    ]);
  });
});
