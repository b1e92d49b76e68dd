import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaClient } from "../generated/prisma/client.js";
import type { TransactionClient } from "../generated/prisma/internal/prismaNamespace.js";
import { translateDatabaseError } from "./database-errors.js";

export type DatabaseKind = "postgres" | "pglite";
export type DbClient = TransactionClient;

export const DATABASE = Symbol.for("Database");

/** What one unit of work carries down its async calls. */
interface UnitOfWorkScope {
  client: DbClient;
  /** Run once the transaction has committed; forgotten if it rolls back. */
  afterCommit: Array<() => Promise<void>>;
}

/**
 * The one PrismaClient of the process. Repositories ask it for `client`, which is the
 * transaction of the surrounding unit of work when there is one, so a use case can make
 * several repository writes agree without any repository knowing about transactions.
 *
 * A query that fails because the database is down or unreachable throws
 * `DatabaseErrors.unavailable()` (503 DEPENDENCY_UNAVAILABLE) instead of Prisma's error, whose
 * message names the server and which would otherwise reach a client as a 500.
 */
export class Database {
  private readonly transactions = new AsyncLocalStorage<UnitOfWorkScope>();
  readonly prisma: PrismaClient;

  constructor(
    prisma: PrismaClient,
    readonly kind: DatabaseKind,
    private readonly closeDriver: () => Promise<void>,
  ) {
    this.prisma = translatingErrors(prisma);
  }

  get client(): DbClient {
    return this.transactions.getStore()?.client ?? this.prisma;
  }

  /** True inside a unit of work; caches use it to keep uncommitted reads out of shared state. */
  get inTransaction(): boolean {
    return this.transactions.getStore() !== undefined;
  }

  /**
   * Nested calls join the outer transaction instead of opening a second one. A burst waits up to
   * 10 s for a pooled connection: Prisma's default (2 s) answered a burst of 200 writes with 500s.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.transactions.getStore()) return work();
    const afterCommit: UnitOfWorkScope["afterCommit"] = [];
    let result: T;
    try {
      result = await this.prisma.$transaction((tx) => this.transactions.run({ client: tx, afterCommit }, work), {
        timeout: 15_000,
        maxWait: 10_000,
      });
    } catch (error) {
      // Starting or committing the transaction is not a query: the extension below never sees it.
      throw translateDatabaseError(error);
    }
    await runAll(afterCommit);
    return result;
  }

  /**
   * Runs `effect` once what was written so far is visible to everyone: at once outside a unit of
   * work; inside one, after the outermost transaction commits (and before `transaction` returns,
   * so the use case's caller waits for it too); never if it rolls back. For telling other
   * processes about a write: told before the commit, they could reload the old row and keep it.
   */
  afterCommit(effect: () => Promise<void>): Promise<void> {
    const scope = this.transactions.getStore();
    if (!scope) return effect();
    scope.afterCommit.push(effect);
    return Promise.resolve();
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe("SELECT 1");
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await this.closeDriver();
  }
}

/**
 * Every query of the client, and of the transactions it opens, with a database outage translated
 * into a domain error. Every other failure (a unique violation, a serialization conflict) passes
 * through unchanged for the repositories that look at it.
 */
function translatingErrors(prisma: PrismaClient): PrismaClient {
  const extended = prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          throw translateDatabaseError(error);
        }
      },
    },
  });
  // The same client at run time, with the same methods; only the extension's generic types differ.
  return extended as unknown as PrismaClient;
}

/** Every effect runs even if one fails (each is some other reader's freshness); the first failure is then thrown. */
async function runAll(effects: Array<() => Promise<void>>): Promise<void> {
  const failed = (await Promise.allSettled(effects.map((effect) => effect()))).find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}
