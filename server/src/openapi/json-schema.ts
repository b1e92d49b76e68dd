import { z } from "zod";

/** A JSON Schema (draft 2020-12) as it sits in the document. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where converted schemas go: the document's `components.schemas`. */
export type SchemaComponents = Record<string, JsonSchema>;

const COMPONENT_REF = "#/components/schemas/";

export function componentRef(name: string): JsonSchema {
  return { $ref: `${COMPONENT_REF}${name}` };
}

/**
 * The JSON Schema of a parser as a client sends it (`io: "input"`) or receives it (`"output"`),
 * registered in `components` under `name`; returns a `$ref` to it. A parser that is not zod is
 * described as any value. Dates are ISO 8601 strings on the wire; a shared `$defs` (cycles) is
 * hoisted next to the schema so every `$ref` resolves from the document's root.
 */
export function registerSchema(
  components: SchemaComponents,
  name: string,
  parsers: readonly unknown[],
  io: "input" | "output",
): JsonSchema {
  const schemas = parsers.map((parser, index) => convert(components, parsers.length > 1 ? `${name}.${index}` : name, parser, io));
  components[name] = schemas.length === 1 && schemas[0] ? schemas[0] : { allOf: schemas };
  return componentRef(name);
}

function convert(components: SchemaComponents, name: string, parser: unknown, io: "input" | "output"): JsonSchema {
  if (!(parser instanceof z.ZodType)) return {};
  const generated = z.toJSONSchema(parser, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    cycles: "ref",
    reused: "inline",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "date") {
        jsonSchema.type = "string";
        jsonSchema.format = "date-time";
      }
    },
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...schema } = generated;
  const defs = isRecord($defs) ? $defs : {};
  const rename = (ref: string): string => {
    if (ref === "#") return `${COMPONENT_REF}${name}`;
    if (ref.startsWith("#/$defs/")) return `${COMPONENT_REF}${name}.${ref.slice("#/$defs/".length)}`;
    return ref;
  };
  for (const [key, def] of Object.entries(defs)) components[`${name}.${key}`] = rewriteRefs(def, rename) as JsonSchema;
  return rewriteRefs(schema, rename) as JsonSchema;
}

function rewriteRefs(value: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rename));
  if (!isRecord(value)) return value;
  const result: JsonSchema = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = key === "$ref" && typeof item === "string" ? rename(item) : rewriteRefs(item, rename);
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
