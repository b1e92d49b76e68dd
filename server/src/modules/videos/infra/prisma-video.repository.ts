import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { keysetPage } from "../../../database/keyset.js";
import { escapeLikePattern } from "../../../database/like-pattern.js";
import type { Video as VideoRow } from "../../../generated/prisma/client.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../../shared/application/event-outbox.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import type { VideoListFilter, VideoRepository } from "../application/video.repository.js";
import type { VideoStatus } from "../domain/video-status.js";
import { Video, type VideoState } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";

@injectable()
export class PrismaVideoRepository implements VideoRepository {
  constructor(
    @inject(DATABASE) private readonly db: Database,
    @inject(EVENT_OUTBOX) private readonly outbox: EventOutbox,
  ) {}

  async findById(id: string): Promise<Video | null> {
    // findUnique, not findFirst: Prisma batches the findUnique calls made in the same tick into one
    // query, which under concurrent requests costs a third of the CPU per read (docs/benchmarks.md,
    // "One video by id"); alone, both cost the same.
    const row = await this.db.client.video.findUnique({ where: { id, deletedAt: null } });
    return row ? toVideo(row) : null;
  }

  findByIdForWrite(id: string): Promise<Video | null> {
    return this.findById(id);
  }

  async findByIdForUpdate(id: string): Promise<Video | null> {
    await this.db.client.$queryRaw`SELECT id FROM videos WHERE id = ${id}::uuid FOR UPDATE`;
    return this.findById(id);
  }

  async create(video: Video): Promise<void> {
    await this.db.client.video.create({ data: toRow(video.toState()) });
  }

  async save(video: Video, expectedStatus?: VideoStatus): Promise<void> {
    const { id, version, ownerId: _ownerId, createdAt: _createdAt, ...changes } = toRow(video.toState());
    await this.withEvents(video, async () => {
      // A deleted row never comes back: an edit that loaded the video before the delete must not resurrect it.
      const { count } = await this.db.client.video.updateMany({
        where: { id, version, deletedAt: null },
        data: { ...changes, version: { increment: 1 } },
      });
      if (count === 0) throw await this.whyNotSaved(id, expectedStatus, video.status);
    });
    video.markSaved();
  }

  async saveDeletion(video: Video): Promise<void> {
    const { id, deletedAt, updatedAt } = video.toState();
    if (!deletedAt) throw new Error("saveDeletion needs a soft-deleted video");
    await this.withEvents(video, async () => {
      const { count } = await this.db.client.video.updateMany({
        where: { id, deletedAt: null },
        data: { deletedAt, updatedAt, version: { increment: 1 } },
      });
      if (count === 0) throw VideoErrors.notFound();
    });
  }

  /** The write and the events the entity recorded commit together, or neither does. */
  private async withEvents(video: Video, write: () => Promise<void>): Promise<void> {
    const events = video.events.take();
    if (events.length === 0) return write();
    await this.db.transaction(async () => {
      await write();
      await this.outbox.append(events);
    });
  }

  /** Names the write that won, so the loser's client knows whether to reload, retry or give up. */
  private async whyNotSaved(id: string, expectedStatus: VideoStatus | undefined, target: VideoStatus) {
    const current = await this.db.client.video.findUnique({ where: { id }, select: { status: true, deletedAt: true } });
    if (!current || current.deletedAt) return VideoErrors.notFound();
    if (expectedStatus && current.status !== expectedStatus) return VideoErrors.invalidState(current.status, target);
    return ConcurrencyErrors.concurrentModification("video");
  }

  async listByOwner(
    ownerId: string,
    filter: VideoListFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Video>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.video.findMany({
      where: {
        AND: [
          { ownerId, deletedAt: null },
          filter.status ? { status: filter.status } : {},
          filter.search ? { title: { contains: escapeLikePattern(filter.search), mode: "insensitive" } } : {},
          after,
        ],
      },
      ...order,
    });
    return toPage(rows, page.limit, toVideo);
  }
}

function toRow(state: Readonly<VideoState>) {
  const { upload, probe, ...rest } = state;
  return {
    ...rest,
    uploadKey: upload?.key ?? null,
    uploadFilename: upload?.filename ?? null,
    uploadContentType: upload?.contentType ?? null,
    uploadSizeBytes: upload ? BigInt(upload.sizeBytes) : null,
    durationSeconds: probe?.durationSeconds ?? null,
    width: probe?.width ?? null,
    height: probe?.height ?? null,
    videoCodec: probe?.videoCodec ?? null,
    audioCodec: probe?.audioCodec ?? null,
  };
}

function toVideo(row: VideoRow): Video {
  const { uploadKey: key, uploadFilename: filename, uploadContentType: contentType, uploadSizeBytes: size } = row;
  const { durationSeconds, width, height, videoCodec, audioCodec } = row;
  return Video.rehydrate({
    id: row.id,
    ownerId: row.ownerId,
    title: row.title,
    description: row.description,
    status: row.status,
    upload: key && filename && contentType && size !== null ? { key, filename, contentType, sizeBytes: Number(size) } : null,
    probe:
      durationSeconds !== null && width !== null && height !== null && videoCodec !== null
        ? { durationSeconds, width, height, videoCodec, audioCodec }
        : null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
  });
}
