import type { AnyRouter } from "@trpc/server";
import { z } from "zod";
import type { JsonSchema } from "./json-schema.js";

export interface FuzzProcedure {
  path: string;
  type: "query" | "mutation";
  /** The input's JSON Schema as a client sees it (io: "input"), null for a procedure without input. */
  schema: JsonSchema | null;
}

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] };
}

/**
 * Every query and mutation of the router, read from tRPC's own flat record, so a procedure added
 * tomorrow is fuzzed without a line here. Subscriptions need an SSE client and have their own tests.
 */
export function fuzzableProcedures(router: AnyRouter): FuzzProcedure[] {
  const procedures = router._def.procedures as Record<string, ProcedureDef>;
  return Object.entries(procedures).flatMap(([path, procedure]) => {
    const { type, inputs } = procedure._def;
    if (type === "subscription") return [];
    // A parser that is not zod gets arbitrary JSON ({}): still fuzzed, only less aimed.
    const schemas = inputs.map((input) =>
      input instanceof z.ZodType ? (z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as JsonSchema) : {},
    );
    const schema = schemas.length === 0 ? null : schemas.length === 1 ? (schemas[0] ?? null) : { allOf: schemas };
    return [{ path, type, schema }];
  });
}
