import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaClient } from "../generated/prisma/client.js";
import type { TransactionClient } from "../generated/prisma/internal/prismaNamespace.js";

export type DatabaseKind = "postgres" | "pglite";
export type DbClient = TransactionClient;

export const DATABASE = Symbol.for("Database");

/**
 * The one PrismaClient of the process. Repositories ask it for `client`, which is the
 * transaction of the surrounding unit of work when there is one, so a use case can make
 * several repository writes agree without any repository knowing about transactions.
 */
export class Database {
  private readonly transactions = new AsyncLocalStorage<DbClient>();

  constructor(
    readonly prisma: PrismaClient,
    readonly kind: DatabaseKind,
    private readonly closeDriver: () => Promise<void>,
  ) {}

  get client(): DbClient {
    return this.transactions.getStore() ?? this.prisma;
  }

  /** True inside a unit of work; caches use it to keep uncommitted reads out of shared state. */
  get inTransaction(): boolean {
    return this.transactions.getStore() !== undefined;
  }

  /**
   * Nested calls join the outer transaction instead of opening a second one. A burst waits up to
   * 10 s for a pooled connection: Prisma's default (2 s) answered a burst of 200 writes with 500s.
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.transactions.getStore()) return work();
    return this.prisma.$transaction((tx) => this.transactions.run(tx, work), { timeout: 15_000, maxWait: 10_000 });
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe("SELECT 1");
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await this.closeDriver();
  }
}
