import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { UploadSession as UploadSessionRow } from "../../../generated/prisma/client.js";
import type { UploadSession, UploadSessionRepository, UploadSessionStatus } from "../application/upload-session.repository.js";

@injectable()
export class PrismaUploadSessionRepository implements UploadSessionRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async create(session: UploadSession): Promise<void> {
    await this.db.client.uploadSession.create({
      data: { ...session, partSize: BigInt(session.partSize), sizeBytes: BigInt(session.sizeBytes) },
    });
  }

  async findById(id: string): Promise<UploadSession | null> {
    const row = await this.db.client.uploadSession.findUnique({ where: { id } });
    return row ? toSession(row) : null;
  }

  async findActiveByVideo(videoId: string): Promise<UploadSession[]> {
    const rows = await this.db.client.uploadSession.findMany({ where: { videoId, status: "ACTIVE" } });
    return rows.map(toSession);
  }

  async findExpiredIds(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.client.uploadSession.findMany({
      where: { status: "ACTIVE", expiresAt: { lt: now } },
      orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async changeStatus(id: string, from: UploadSessionStatus, to: UploadSessionStatus, now: Date): Promise<boolean> {
    const { count } = await this.db.client.uploadSession.updateMany({
      where: { id, status: from },
      data: { status: to, updatedAt: now },
    });
    return count === 1;
  }
}

function toSession(row: UploadSessionRow): UploadSession {
  return { ...row, partSize: Number(row.partSize), sizeBytes: Number(row.sizeBytes) };
}
