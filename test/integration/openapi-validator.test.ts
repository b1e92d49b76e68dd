import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";

/**
 * GET /openapi.json checked by an outside validator against the official OpenAPI 3.1 schema,
 * so the document's own tests (openapi-document.test.ts) are not the only judge of its shape.
 * That schema stops at Schema Objects (any object or boolean passes); that each of them compiles
 * as JSON Schema draft 2020-12 is checked in openapi-document.test.ts.
 */
describe("the OpenAPI document against the official OpenAPI 3.1 schema", () => {
  let api: HttpTestApi;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    api = await startHttpApi();
    const response = await fetch(`${api.url}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Record<string, unknown>;
  });
  afterAll(() => api?.close());

  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is refused by the same validator once broken, so the check above can fail", async () => {
    const broken = structuredClone(document);
    const paths = broken.paths as Record<string, Record<string, Record<string, unknown>>>;
    const [first] = Object.values(paths);
    const [operation] = Object.values(first ?? {});
    if (!operation) throw new Error("the document has no operation");
    operation.responses = { "200": { content: {} } }; // a response needs a description
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result.errors)).toContain("description");
  });
});
