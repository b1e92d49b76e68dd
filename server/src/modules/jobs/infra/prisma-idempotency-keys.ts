import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { IdempotencyKeys } from "../application/idempotency-keys.js";

const ENDED = ["SUCCEEDED", "FAILED", "CANCELLED"] as const;

@injectable()
export class PrismaIdempotencyKeys implements IdempotencyKeys {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async forgetEnded(createdBefore: Date, limit: number): Promise<number> {
    const where = { idempotencyKey: { not: null }, status: { in: [...ENDED] }, createdAt: { lt: createdBefore } };
    const rows = await this.db.client.job.findMany({ where, orderBy: { createdAt: "asc" }, take: limit, select: { id: true } });
    if (rows.length === 0) return 0;
    // Not a revision bump: the key is no part of what progress watchers see, and a save never writes it.
    const { count } = await this.db.client.job.updateMany({
      where: { ...where, id: { in: rows.map((row) => row.id) } },
      data: { idempotencyKey: null },
    });
    return count;
  }
}
