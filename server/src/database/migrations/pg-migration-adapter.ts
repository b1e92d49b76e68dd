import { randomUUID } from "node:crypto";

import { PrismaPg } from "@prisma/adapter-pg";
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";
import pg from "pg";

import { scriptError, type MigrationAdapter } from "./schema-engine.js";

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * Builds the factory the schema engine drives for a Postgres database, on top of
 * @prisma/adapter-pg 7.10.1 with the issues it has when used for migrations fixed:
 * the engine's catalog queries return `"char"` columns the adapter cannot map; its
 * own shadow factory connects to the main database when configured from a URL, and
 * drops the shadow database before closing the pool that still uses it.
 */
export function createPgMigrationAdapter(connectionString: string): MigrationAdapter {
  const open = new Set<SqlDriverAdapter>();

  const track = (adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    // The engine disposes shadow adapters itself and we dispose everything at the end;
    // pg.Pool#end() throws when called twice, so the first call wins.
    adapter.dispose = () => {
      disposed ??= (async () => {
        open.delete(adapter);
        try {
          await dispose();
        } finally {
          await afterDispose?.();
        }
      })();
      return disposed;
    };
    open.add(adapter);
    return adapter;
  };

  const connectTo = async (url: string): Promise<SqlDriverAdapter> => {
    // Idle connections are never reaped: the engine's session-level advisory lock lives on
    // one pooled connection and must not be released mid-run; we end the pool ourselves.
    const adapter = await new PrismaPg({ connectionString: url, idleTimeoutMillis: 0 }).connect();
    return fixForSchemaEngine(adapter, adapter.underlyingDriver());
  };

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    async connect() {
      return track(await connectTo(connectionString));
    },
    async connectToShadowDb() {
      const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
      await runAdminStatement(connectionString, `CREATE DATABASE "${name}"`);
      try {
        const adapter = await connectTo(withDatabase(connectionString, name));
        return track(adapter, () => runAdminStatement(connectionString, `DROP DATABASE IF EXISTS "${name}"`));
      } catch (error) {
        await runAdminStatement(connectionString, `DROP DATABASE IF EXISTS "${name}"`).catch(() => undefined);
        throw error;
      }
    },
  };

  return {
    factory,
    async close() {
      const results = await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failure) throw failure.reason;
    },
  };
}

/**
 * pg lets `connectionString` override a separate `database` option (that is why
 * adapter-pg's shadow factory lands on the main database), so the shadow database is
 * put into the URL itself; host, credentials and query options (sslmode, …) are kept.
 */
function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function runAdminStatement(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface PgQueryableInternals {
  performIO(query: SqlQuery): Promise<pg.QueryResult | pg.QueryResult[]>;
  queryRaw(query: SqlQuery): Promise<SqlResultSet>;
}

/**
 * Patches one adapter instance (never the shared prototype, which the app's Prisma
 * client also uses):
 * - `performIO` is the only point where pg's field OIDs are visible before adapter-pg
 *   maps them; `"char"` (OID 18, used by pg_catalog) has no mapping there, so it is
 *   relabelled as text for the mapping, and `queryRaw` then reports those columns as
 *   Character, the type the engine reads them as (as the PGlite adapter does). Reported as
 *   Text, the engine panics describing any CHECK constraint (pg_constraint.contype).
 * - `executeScript` in adapter-pg splits on ";" (breaking `$$` bodies and string
 *   literals) and runs each piece on any pooled connection. The CLI's engine sends a
 *   migration as one simple-protocol query, which Postgres runs atomically; pg uses the
 *   simple protocol for a query without parameters, so the script is sent as it is.
 */
function fixForSchemaEngine(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  relabelCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args): Promise<Transaction> => {
    const tx = await startTransaction(...args);
    relabelCharColumns(tx);
    return tx;
  };
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      throw scriptError(error, script);
    }
  };
  return adapter;
}

function relabelCharColumns(queryable: object): void {
  // performIO is private in adapter-pg's typings; this cast is the only way to reach it.
  const target = queryable as PgQueryableInternals;
  const performIO = target.performIO.bind(target);
  const queryRaw = target.queryRaw.bind(target);
  // queryRaw hands its own query object to performIO: that object links the two calls.
  const charColumns = new WeakMap<SqlQuery, number[]>();
  target.performIO = async (query) => {
    const result = await performIO(query);
    for (const part of Array.isArray(result) ? result : [result]) {
      const relabelled: number[] = [];
      (part.fields ?? []).forEach((field, index) => {
        if (field.dataTypeID !== PG_CHAR_OID) return;
        field.dataTypeID = PG_TEXT_OID;
        relabelled.push(index);
      });
      if (relabelled.length > 0) charColumns.set(query, relabelled);
    }
    return result;
  };
  target.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumns.get(query) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
}
