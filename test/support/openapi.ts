import { randomUUID } from "node:crypto";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export type Json = { [key: string]: unknown };

export interface Operation {
  path: string;
  method: "get" | "post";
  operationId: string;
  trpcType: "query" | "mutation" | "subscription";
  op: Json;
}

export interface OpenApiDocument extends Json {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> } & Json;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) =>
      method === "get" || method === "post"
        ? [{ path, method, operationId: String(op.operationId), trpcType: op["x-trpc-type"] as Operation["trpcType"], op }]
        : [],
    ),
  );
}

/** The value a local `$ref` ("#/a/b") points to, or undefined. */
export function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const segments = ref === "#" ? [] : ref.slice(2).split("/");
  let node: unknown = document;
  for (const raw of segments) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isRecord(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every `$ref` string anywhere in the document. */
export function allRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) allRefs(item, found);
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") found.push(item);
      else allRefs(item, found);
    }
  }
  return found;
}

/** A schema with every document `$ref` replaced by its target (the document has no cycles; bounded anyway). */
export function inline(document: Json, value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error("$ref nesting deeper than 64: a cycle?");
  if (Array.isArray(value)) return value.map((item) => inline(document, item, depth + 1));
  if (!isRecord(value)) return value;
  if (typeof value.$ref === "string") {
    const target = resolvePointer(document, value.$ref);
    if (target === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
    const { $ref: _ref, ...rest } = value;
    const resolved = inline(document, target, depth + 1);
    return Object.keys(rest).length === 0 ? resolved : { allOf: [resolved], ...(inline(document, rest, depth + 1) as Json) };
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(document, item, depth + 1)]));
}

/** Where createAjv puts the document's components.schemas, as `$defs`. */
const COMPONENTS_ID = "urn:reelbase:openapi-components";

/**
 * Draft 2020-12, strict, with the formats zod emits, holding the document's component schemas
 * once (each compiled once, however many operations refer to it).
 */
export function createAjv(document: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  const components = isRecord(document.components) && isRecord(document.components.schemas) ? document.components.schemas : {};
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: toAjvRefs(components) });
  return ajv;
}

/** A schema of the document (its `$ref`s to components.schemas included), compiled by createAjv's instance. */
export function compile(ajv: Ajv2020, schema: unknown): ValidateFunction {
  return ajv.compile(toAjvRefs(schema) as Json);
}

function toAjvRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema ?? {}).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`));
}

/** A response's schema for a status (or `default`), as written (component refs kept); undefined when not documented. */
export function responseSchema(document: Json, op: Json, status: number, mediaType = "application/json"): unknown {
  const responses = isRecord(op.responses) ? op.responses : {};
  let response = responses[String(status)] ?? responses.default;
  if (isRecord(response) && typeof response.$ref === "string") response = resolvePointer(document, response.$ref);
  if (!isRecord(response) || !isRecord(response.content)) return undefined;
  const media = response.content[mediaType];
  return isRecord(media) ? media.schema : undefined;
}

/** The input schema of an operation (query parameter or request body), inlined, and whether it is required. */
export function inputOf(document: Json, op: Json): { schema: Json; required: boolean } | null {
  if (isRecord(op.requestBody)) {
    const body = op.requestBody as { required?: boolean; content?: Record<string, { schema?: unknown }> };
    return { schema: inline(document, body.content?.["application/json"]?.schema) as Json, required: body.required === true };
  }
  const parameters = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
  const input = parameters.find((parameter) => parameter.name === "input" && parameter.in === "query");
  if (!input) return null;
  const content = input.content as Record<string, { schema?: unknown }> | undefined;
  return { schema: inline(document, content?.["application/json"]?.schema) as Json, required: input.required === true };
}

export interface ExampleContext {
  /** The procedure's path, e.g. "videos.get". */
  path: string;
  /** Ids by field name ("videoId", "jobId", "userId"); "id" is looked up by path prefix in idsByPrefix. */
  ids: Record<string, string>;
  idsByPrefix: Array<[prefix: string, id: string]>;
  /** Values by field name, used when they fit the field's schema. */
  hints: Record<string, unknown>;
}

const PATTERN_CANDIDATES = ["example", "video/mp4", "example-key-1", "clip.mp4"];

/**
 * A value for a JSON schema: defaults, first enum values, minimums; ids the test created where a
 * field is named like one; undefined when nothing can be derived (the call is still made).
 */
export function exampleOf(schema: unknown, context: ExampleContext, name: string | null = null, depth = 0): unknown {
  if (depth > 16 || !isRecord(schema)) return undefined;
  if (name !== null && name in context.hints) return context.hints[name];
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ("default" in schema) return schema.default;
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const option = options.find((item) => !(isRecord(item) && item.type === "null")) ?? options[0];
      return exampleOf(option, context, name, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => exampleOf(part, context, name, depth + 1));
    return parts.every(isRecord) ? Object.assign({}, ...parts) : parts[0];
  }
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== "null") : schema.type;
  switch (type) {
    case "object": {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
      const value: Json = {};
      for (const key of required) {
        const item = exampleOf(properties[key], context, key, depth + 1);
        if (item !== undefined) value[key] = item;
      }
      return value;
    }
    case "array": {
      const count = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: Math.min(count, 10) }, () => exampleOf(schema.items, context, null, depth + 1));
    }
    case "string":
      return stringExample(schema, context, name);
    case "integer":
    case "number": {
      const minimum = typeof schema.minimum === "number" ? schema.minimum : 1;
      return typeof schema.maximum === "number" ? Math.min(minimum, schema.maximum) : minimum;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return undefined;
  }
}

function stringExample(schema: Json, context: ExampleContext, name: string | null): string {
  if (schema.format === "uuid" || (name !== null && /(^id|Id)$/.test(name))) {
    if (name === "id") return context.idsByPrefix.find(([prefix]) => context.path.startsWith(prefix))?.[1] ?? randomUUID();
    return (name !== null ? context.ids[name] : undefined) ?? randomUUID();
  }
  if (schema.format === "email") return `contract-${randomUUID().slice(0, 8)}@example.com`;
  if (schema.format === "date-time") return new Date().toISOString();
  if (schema.format === "uri") return "http://127.0.0.1:9/contract"; // loopback, the discard port
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  const fits = (value: string) =>
    value.length >= min &&
    value.length <= max &&
    (typeof schema.pattern !== "string" || new RegExp(schema.pattern, "u").test(value));
  const padded = (value: string) => value.padEnd(min, "x").slice(0, Math.max(min, Math.min(max, value.length)));
  return PATTERN_CANDIDATES.map(padded).find(fits) ?? padded("example");
}
