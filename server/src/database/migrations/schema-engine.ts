import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";

export type { MigrationDirectory, MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";

/** A migration-aware adapter factory plus the means to release everything it opened. */
export interface MigrationAdapter {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  /** Disposes every connection and shadow database the factory handed out (idempotent). */
  close(): Promise<void>;
}

interface PostgresErrorFields {
  code: string;
  message: string;
  severity?: string;
  detail?: string;
  hint?: string;
  column?: string;
  position?: string;
}

function isPostgresError(error: unknown): error is PostgresErrorFields {
  const e = error as Partial<Record<keyof PostgresErrorFields, unknown>> | null;
  return typeof e === "object" && e !== null && typeof e.code === "string" && typeof e.message === "string";
}

/**
 * Turns a Postgres error raised by a migration script into the adapter error the engine
 * records in `_prisma_migrations.logs` and reports, adding the offending line as the CLI
 * does. (For a few codes the engine substitutes its own wording, e.g. 42P01 becomes
 * "No such table: x".)
 */
export function scriptError(error: unknown, script: string): unknown {
  if (!isPostgresError(error)) return error;
  let message = error.message;
  const offset = Number(error.position);
  if (Number.isInteger(offset) && offset > 0) {
    // Postgres reports a 1-based character offset into the whole script.
    const before = [...script].slice(0, offset - 1).join("");
    const lineNumber = before.split("\n").length;
    const line = script.split("\n")[lineNumber - 1]?.trim() ?? "";
    message += ` (line ${lineNumber}: ${line})`;
  }
  return new DriverAdapterError({
    kind: "postgres",
    code: error.code,
    severity: error.severity ?? "ERROR",
    message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
    originalCode: error.code,
    originalMessage: error.message,
  });
}

/**
 * The slice of the WebAssembly JS API used here. lib "dom" is not in this project's
 * tsconfig, so the global is untyped; this is the one place that crosses that boundary.
 */
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

let loaded: Promise<void> | undefined;

/**
 * The engine arms a JS timer for each timeout it races (10 s around the advisory lock
 * in applyMigrations) and, having no clearTimeout import, never cancels it: a CLI run
 * would linger until it fires. Its timers keep the process alive only while an engine
 * session is open; afterwards they are unref'd (they still fire harmlessly if the
 * process lives on).
 */
const engineTimers = new Set<NodeJS.Timeout>();
let openSessions = 0;

function engineSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms >>> 0);
  engineTimers.add(timer);
  if (openSessions === 0) timer.unref();
  return timer;
}

function sessionClosed(): void {
  openSessions -= 1;
  if (openSessions === 0) for (const timer of engineTimers) timer.unref();
}

/**
 * The package's own entry does `import * as wasm from "./schema_engine_bg.wasm"`, which
 * Node 20 cannot load, so the module is instantiated by hand with the generated glue
 * (`schema_engine_bg.js`) as its import object, as wasm-bindgen's "bundler" target expects.
 */
function loadSchemaEngineWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const imports: Record<string, unknown> = { ...bindings };
    // The glue's import names carry a build hash (`__wbg_setTimeout_5d6a…`).
    const setTimeoutImports = Object.keys(imports).filter((name) => name.startsWith("__wbg_setTimeout_"));
    if (setTimeoutImports.length !== 1) throw new Error("Unexpected @prisma/schema-engine-wasm glue: setTimeout import");
    for (const name of setTimeoutImports) imports[name] = engineSetTimeout;
    const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasmApi.instantiate(bytes, { "./schema_engine_bg.js": imports });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports["__wbindgen_start"] as () => void)();
  })();
  // A failed load (e.g. missing file) must not poison every later attempt in this process.
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** An engine error as thrown across the WASM boundary: user-facing ones carry a Pxxxx code. */
interface EngineErrorShape {
  code?: unknown;
  message?: unknown;
}

export class SchemaEngineError extends Error {
  /** The engine's user-facing error code (e.g. P3009), when it gave one. */
  readonly code: string | undefined;
  /** The migration being applied when the engine failed, when it says so. */
  readonly migrationName: string | undefined;

  constructor(command: string, code: string | undefined, rawMessage: string, cause: unknown) {
    const { message, migrationName } = cleanEngineMessage(rawMessage);
    const where = migrationName ? ` in migration ${migrationName}` : "";
    super(`${command} failed${code ? ` with ${code}` : ""}${where}: ${message}`, { cause });
    this.name = "SchemaEngineError";
    this.code = code;
    this.migrationName = migrationName;
  }
}

/**
 * Engine messages end with a Rust span trace ("   0: schema_commands::… at file.rs:95"),
 * useful to Prisma's developers only; the migration name it mentions is kept.
 */
function cleanEngineMessage(raw: string): { message: string; migrationName: string | undefined } {
  const traceStart = raw.search(/^\s*\d+: \S+::/m);
  const trace = traceStart >= 0 ? raw.slice(traceStart) : "";
  const body = (traceStart >= 0 ? raw.slice(0, traceStart) : raw).replace(/^external connector error\s*/, "").trim();
  const migrationName = /migration_name="([^"]+)"/.exec(trace)?.[1];
  return { message: body, migrationName };
}

export interface EngineSession {
  readonly engine: SchemaEngine;
  /** Runs one engine command, turning the engine's and the adapter's errors into one Error. */
  run<T>(command: string, fn: (engine: SchemaEngine) => Promise<T>): Promise<T>;
  /** Frees the WASM engine. Does not touch the adapter factory's connections. */
  free(): void;
}

export interface CreateEngineOptions {
  schemaPath: string;
  schemaText: string;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Receives the engine's log lines (JSON strings); silent by default. */
  log?: (line: string) => void;
}

export async function createSchemaEngine(options: CreateEngineOptions): Promise<EngineSession> {
  await loadSchemaEngineWasm();
  const bound = bindMigrationAwareSqlAdapterFactory(options.adapterFactory);
  const log = options.log ?? (() => undefined);

  const translate = (command: string, error: unknown): Error => {
    // An error thrown in JS adapter code reaches the engine only as an id; the original,
    // kept in the registry, says far more than "External error id#0".
    const registered = lookupRegisteredError(bound.errorRegistry, error);
    if (registered !== undefined) {
      const message = registered instanceof Error ? registered.message : String(registered);
      return new SchemaEngineError(command, undefined, message, registered);
    }
    const shape = (typeof error === "object" && error !== null ? error : {}) as EngineErrorShape;
    const code = typeof shape.code === "string" ? shape.code : undefined;
    const message = typeof shape.message === "string" ? shape.message : error instanceof Error ? error.message : String(error);
    return new SchemaEngineError(command, code, message.trim(), error);
  };

  let engine: SchemaEngine;
  openSessions += 1;
  try {
    engine = await bindings.SchemaEngine.new({ datamodels: [[options.schemaPath, options.schemaText]] }, log, bound);
  } catch (error) {
    sessionClosed();
    throw translate("connecting to the database", error);
  }

  let freed = false;
  return {
    engine,
    async run(command, fn) {
      try {
        return await fn(engine);
      } catch (error) {
        throw translate(command, error);
      }
    },
    free() {
      if (!freed) {
        freed = true;
        try {
          engine.free();
        } finally {
          sessionClosed();
        }
      }
    },
  };
}

/** The engine reports a JS error thrown inside the adapter as "External error id#N". */
function lookupRegisteredError(registry: { consumeError(id: number): { error: unknown } | undefined }, error: unknown): unknown {
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  const match = /External error id#(\d+)/.exec(text);
  if (!match?.[1]) return undefined;
  return registry.consumeError(Number(match[1]))?.error;
}
