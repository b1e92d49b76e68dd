import type { AnyTRPCRouter } from "@trpc/server";
import { z } from "zod";
import { API_KEY_SCOPES } from "../shared/domain/roles.js";
import type { ProcedureAccess, ProcedureDeprecation } from "../trpc/init.js";

export type ProcedureType = "query" | "mutation" | "subscription";

/** One procedure of the router as the document describes it: read from tRPC's own definition. */
export interface ProcedureInfo {
  path: string;
  type: ProcedureType;
  /** The parsers given to `.input()`, in order (tRPC merges their results); empty without input. */
  inputs: unknown[];
  /** The parser given to `.output()`, if any. */
  output: unknown;
  /** From the base procedure's meta (trpc/init.ts); null for one built on something else. */
  access: ProcedureAccess | null;
  /** From `meta.deprecated` (trpc/init.ts, docs/adr/0028-api-evolution.md); null while it is current. */
  deprecated: ProcedureDeprecation | null;
}

interface ProcedureDef {
  _def: { type: ProcedureType; inputs?: unknown[]; output?: unknown; meta?: unknown };
}

const accessSchema: z.ZodType<ProcedureAccess> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("public") }),
  z.object({ kind: z.literal("caller"), scope: z.enum(API_KEY_SCOPES).nullable() }),
  z.object({ kind: z.literal("session") }),
  z.object({ kind: z.literal("admin") }),
]);

const deprecationSchema: z.ZodType<ProcedureDeprecation> = z.object({
  since: z.string(),
  use: z.string().optional(),
  reason: z.string().optional(),
});

/** Every procedure, in the router's order, from its flat record: a procedure added tomorrow is listed with no line here. */
export function routerProcedures(router: AnyTRPCRouter): ProcedureInfo[] {
  const procedures = router._def.procedures as Record<string, ProcedureDef>;
  return Object.entries(procedures).map(([path, procedure]) => {
    const { type, inputs = [], output, meta } = procedure._def;
    const access = accessSchema.safeParse(isRecord(meta) ? meta.access : undefined);
    const deprecated = isRecord(meta) && meta.deprecated !== undefined ? deprecationSchema.parse(meta.deprecated) : null;
    return { path, type, inputs, output, access: access.success ? access.data : null, deprecated };
  });
}

/** Whether an absent input is accepted: it is read as `{}` (trpc/middlewares/absent-input.middleware.ts). */
export function acceptsAbsentInput(inputs: readonly unknown[]): boolean {
  return inputs.every((input) => input instanceof z.ZodType && input.safeParse({}).success);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
