import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildOpenApiDocument } from "../../server/src/openapi/document.js";
import { registerSchema, type SchemaComponents } from "../../server/src/openapi/json-schema.js";
import { acceptsAbsentInput, routerProcedures } from "../../server/src/openapi/procedures.js";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { publicProcedure, router } from "../../server/src/trpc/init.js";

describe("zod schemas in the OpenAPI document", () => {
  it("describes a date as the ISO 8601 string the wire carries, in and out", () => {
    const components: SchemaComponents = {};
    const schema = z.object({ at: z.date(), maybe: z.date().optional() });
    expect(registerSchema(components, "t.input", [schema], "input")).toEqual({ $ref: "#/components/schemas/t.input" });
    registerSchema(components, "t.output", [schema], "output");
    for (const name of ["t.input", "t.output"]) {
      expect(components[name]).toMatchObject({ properties: { at: { type: "string", format: "date-time" } } });
      expect(components[name]).not.toHaveProperty("$schema");
    }
  });

  it("hoists a recursive schema's $defs into components so its $refs resolve from the document root", () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
    const components: SchemaComponents = {};
    registerSchema(components, "tree.output", [z.object({ root: node })], "output");
    const refs = JSON.stringify(components).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(ref).toContain("#/components/schemas/");
      expect(components, ref).toHaveProperty([name]);
    }
  });

  it("describes a parser that is not zod as any value, and several inputs as allOf", () => {
    const components: SchemaComponents = {};
    registerSchema(components, "x.input", [(value: unknown) => value], "input");
    expect(components["x.input"]).toEqual({});
    registerSchema(components, "y.input", [z.object({ a: z.string() }), z.object({ b: z.number() })], "input");
    expect(components["y.input"]).toMatchObject({
      allOf: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "number" } } }],
    });
  });

  it("calls an input optional only when its schema accepts {}", () => {
    expect(acceptsAbsentInput([z.object({ limit: z.number().default(20) })])).toBe(true);
    expect(acceptsAbsentInput([z.object({ id: z.string() })])).toBe(false);
    expect(acceptsAbsentInput([(value: unknown) => value])).toBe(false);
    expect(acceptsAbsentInput([])).toBe(true);
  });

  it("reads each procedure's access from its base procedure, and none from a bare one", () => {
    const probe = router({ open: publicProcedure.query(() => 1) });
    expect(routerProcedures(probe)).toEqual([
      { path: "open", type: "query", inputs: [], output: undefined, access: { kind: "public" }, deprecated: null },
    ]);
    const accesses = new Map(routerProcedures(appRouter).map(({ path, access }) => [path, access]));
    expect(accesses.get("videos.get")).toEqual({ kind: "caller", scope: "videos:read" });
    expect(accesses.get("auth.me")).toEqual({ kind: "session" });
    expect(accesses.get("admin.audit.list")).toEqual({ kind: "admin" });
  });

  it("builds the whole document in well under a second (it is built at every start)", () => {
    const started = performance.now();
    const document = buildOpenApiDocument(appRouter, { serverUrl: "/", version: "test" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(Object.keys(document.paths)).toContain("/trpc/videos.list");
  });
});
