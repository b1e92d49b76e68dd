import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { StoredFile as StoredFileRow } from "../../../generated/prisma/client.js";
import type { StoredFileRepository } from "../application/stored-file.repository.js";
import type { StoredFile, StoredFileKind } from "../domain/stored-file.js";

@injectable()
export class PrismaStoredFileRepository implements StoredFileRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async add(file: StoredFile): Promise<void> {
    await this.db.client.storedFile.create({ data: { ...file, sizeBytes: BigInt(file.sizeBytes) } });
  }

  async findLatest(videoId: string, kind: StoredFileKind): Promise<StoredFile | null> {
    const row = await this.db.client.storedFile.findFirst({
      where: { videoId, kind },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    return row ? toFile(row) : null;
  }

  async findRendition(videoId: string, quality: string): Promise<StoredFile | null> {
    const row = await this.db.client.storedFile.findFirst({ where: { videoId, kind: "RENDITION", quality } });
    return row ? toFile(row) : null;
  }

  async listByVideo(videoId: string): Promise<StoredFile[]> {
    const rows = await this.db.client.storedFile.findMany({ where: { videoId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map(toFile);
  }

  async deleteByVideo(videoId: string): Promise<void> {
    await this.db.client.storedFile.deleteMany({ where: { videoId } });
  }
}

function toFile(row: StoredFileRow): StoredFile {
  return { ...row, sizeBytes: Number(row.sizeBytes) };
}
