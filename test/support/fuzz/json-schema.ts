import fc from "fast-check";
import { CRAFTED_CURSORS } from "./hostile.js";

/** The part of JSON Schema (2020-12) that z.toJSONSchema emits for our input schemas. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Values the running app knows (its users', videos' and keys' ids, a real cursor), so valid shapes reach real rows. */
export interface KnownValues {
  ids: string[];
  strings: string[];
}

/** Dates a client may send: ordinary ones, the edges of the accepted range, and just outside it. */
const EDGE_DATES = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+14:00",
  "0999-12-31T23:59:59Z",
  "1000-01-01T00:00:00Z",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59-14:00",
  "2026-02-29T00:00:00Z",
];

/** Shapes valid by the schema (as far as JSON Schema can say: refinements are invisible to it). */
export function arbitraryFor(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => arbitraryFor(alternative, known)));
  if (schema.allOf) return arbitraryFor(mergeObjects(schema.allOf), known);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object":
      return objectOf(schema, known);
    case "array":
      return fc.array(arbitraryFor(schema.items ?? {}, known), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 8, 8),
      });
    case "string":
      return stringFor(schema, known);
    case "integer":
      return fc.integer({ min: bound(schema.minimum, -1e9), max: bound(schema.maximum, 1e9) });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const ABSENT = Symbol("absent");

/** Optional properties are present three times in four: filters and cursors are where the bugs were. */
function objectOf(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).map(([key, value]) => {
    const arbitrary = arbitraryFor(value, known);
    return fc.tuple(fc.constant(key), required.has(key) ? arbitrary : fc.option(arbitrary, { nil: ABSENT, freq: 4 }));
  });
  return fc
    .tuple(...entries)
    .map((pairs) => Object.fromEntries(pairs.filter((pair): pair is [string, unknown] => pair[1] !== ABSENT)));
}

/**
 * A URL field (a webhook endpoint) may make the server resolve or connect to its host: generated
 * hosts are loopback only, whatever the scheme, port, path or query around them.
 */
const loopbackUrl: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("http", "https", "ftp", "file"),
    fc.constantFrom("127.0.0.1", "127.0.0.2", "[::1]", "localhost", "[::ffff:127.0.0.1]"),
    fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
    fc.webPath(),
  )
  .map(([scheme, host, port, pathPart]) => `${scheme}://${host}${port === undefined ? "" : `:${port}`}${pathPart}`);

function stringFor(schema: JsonSchema, known: KnownValues): fc.Arbitrary<string> {
  if (schema.format === "uuid") return fc.oneof(fc.constantFrom(...known.ids), fc.uuid());
  if (schema.format === "date-time") {
    const ordinary = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true });
    return fc.oneof(
      ordinary.map((date) => date.toISOString()),
      fc.constantFrom(...EDGE_DATES),
    );
  }
  if (schema.format === "uri") return loopbackUrl;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 64, 300));
  const plain = fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength: Math.min(maxLength, 40), unit: "grapheme" }),
    fc.emailAddress(),
  );
  return fc.oneof(
    { arbitrary: plain, weight: 4 },
    // Strings any text field may meet: real ones from the app, and cursors made to break the codec.
    { arbitrary: fc.constantFrom(...known.strings, ...CRAFTED_CURSORS), weight: 2 },
    { arbitrary: fc.tuple(plain, fc.constantFrom("\u0000", "\ud800", "\udc00"), fc.nat()).map(taint), weight: 2 },
  );
}

/** A string otherwise within its length bounds, with one character no database can store as text. */
function taint([value, bad, at]: [string, string, number]): string {
  const position = value.length === 0 ? 0 : at % value.length;
  return value.slice(0, position) + bad + value.slice(value.length === 0 ? 0 : position + 1);
}

function bound(value: number | undefined, fallback: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, value ?? fallback));
}

function mergeObjects(schemas: JsonSchema[]): JsonSchema {
  return {
    type: "object",
    properties: Object.assign({}, ...schemas.map((schema) => schema.properties ?? {})) as Record<string, JsonSchema>,
    required: schemas.flatMap((schema) => schema.required ?? []),
  };
}
