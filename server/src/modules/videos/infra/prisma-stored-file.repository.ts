import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { Prisma, type StoredFile as StoredFileRow } from "../../../generated/prisma/client.js";
import { hlsIndexSchema, type HlsIndex } from "../../../shared/domain/hls-index.js";
import type { StoredFileRepository } from "../application/stored-file.repository.js";
import type { StoredFile, StoredFileKind } from "../domain/stored-file.js";

@injectable()
export class PrismaStoredFileRepository implements StoredFileRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async add(file: StoredFile): Promise<void> {
    await this.db.client.storedFile.create({
      data: { ...file, sizeBytes: BigInt(file.sizeBytes), hls: file.hls ? toJson(file.hls) : Prisma.DbNull },
    });
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
  // An index that does not parse is treated as absent: the rendition still downloads, it is just not streamed.
  const hls = row.hls === null ? null : (hlsIndexSchema.safeParse(row.hls).data ?? null);
  return { ...row, sizeBytes: Number(row.sizeBytes), hls };
}

function toJson({ init, segments }: HlsIndex): Prisma.InputJsonObject {
  return {
    init: { offset: init.offset, length: init.length },
    segments: segments.map(({ offset, length, durationSeconds }) => ({ offset, length, durationSeconds })),
  };
}
