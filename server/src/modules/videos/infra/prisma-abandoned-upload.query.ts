import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { AbandonedUploadQuery } from "../application/abandoned-upload.query.js";

@injectable()
export class PrismaAbandonedUploadQuery implements AbandonedUploadQuery {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async findIds(updatedBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.db.client.video.findMany({
      where: {
        status: "UPLOADING",
        deletedAt: null,
        updatedAt: { lt: updatedBefore },
        // A resumable upload lives as long as its session; the expired-upload-sessions task ends those.
        uploadSessions: { none: { status: "ACTIVE" } },
      },
      orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }
}
