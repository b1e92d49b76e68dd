import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type {
  PendingObjectDeletion,
  PendingObjectDeletionRepository,
} from "../application/pending-object-deletion.repository.js";

@injectable()
export class PrismaPendingObjectDeletionRepository implements PendingObjectDeletionRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async record(keys: string[], error: string, now: Date): Promise<void> {
    if (keys.length === 0) return;
    await this.db.client.pendingObjectDeletion.createMany({
      data: keys.map((key) => ({ key, attempts: 1, lastError: error, createdAt: now, triedAt: now })),
      skipDuplicates: true,
    });
  }

  async listDue(limit: number): Promise<PendingObjectDeletion[]> {
    const rows = await this.db.client.pendingObjectDeletion.findMany({
      orderBy: [{ triedAt: "asc" }, { key: "asc" }],
      take: limit,
      select: { key: true, attempts: true, lastError: true, createdAt: true },
    });
    return rows;
  }

  async remove(key: string): Promise<void> {
    await this.db.client.pendingObjectDeletion.deleteMany({ where: { key } });
  }

  async failedAgain(key: string, error: string, now: Date): Promise<void> {
    await this.db.client.pendingObjectDeletion.updateMany({
      where: { key },
      data: { attempts: { increment: 1 }, lastError: error, triedAt: now },
    });
  }
}
