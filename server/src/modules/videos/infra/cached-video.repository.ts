import { z } from "zod";
import { CacheAside, type TransactionProbe } from "../../../cache/cache-aside.js";
import type { Cache } from "../../../shared/application/cache.js";
import type { Metrics } from "../../../shared/application/metrics.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { VideoListFilter, VideoRepository } from "../application/video.repository.js";
import { VIDEO_STATUSES, type VideoStatus } from "../domain/video-status.js";
import { Video } from "../domain/video.entity.js";

const isoDate = z.iso.datetime().transform((value) => new Date(value));

/** The JSON of `Video.toState()`; parsing (not casting) turns an outdated entry into a miss and revives dates. */
const cachedVideoState = z.object({
  id: z.string(),
  ownerId: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.enum(VIDEO_STATUSES),
  upload: z.object({ key: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number() }).nullable(),
  probe: z
    .object({
      durationSeconds: z.number(),
      width: z.number(),
      height: z.number(),
      videoCodec: z.string(),
      audioCodec: z.string().nullable(),
    })
    .nullable(),
  version: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
  deletedAt: isoDate.nullable(),
});

/** Cache-aside for videos.get (and every access check, which loads the video by id). */
export class CachedVideoRepository implements VideoRepository {
  private readonly cacheAside: CacheAside<Video>;

  constructor(
    private readonly inner: VideoRepository,
    cache: Cache,
    transactions: TransactionProbe,
    options: { metrics?: Metrics } = {},
  ) {
    this.cacheAside = new CacheAside(cache, transactions, {
      prefix: "video",
      revive: (value, id) => {
        const cached = cachedVideoState.safeParse(value);
        return cached.success && cached.data.id === id && !cached.data.deletedAt ? Video.rehydrate(cached.data) : undefined;
      },
      snapshot: (video) => video.toState(),
      ...options,
    });
  }

  findById(id: string): Promise<Video | null> {
    return this.cacheAside.read(id, () => this.inner.findById(id));
  }

  findByIdForWrite(id: string): Promise<Video | null> {
    return this.inner.findByIdForWrite(id);
  }

  findByIdForUpdate(id: string): Promise<Video | null> {
    return this.inner.findByIdForUpdate(id);
  }

  async create(video: Video): Promise<void> {
    await this.inner.create(video);
    await this.cacheAside.forget(video.id);
  }

  /** The inner save checks the video's version: write only videos loaded with findByIdForWrite. */
  async save(video: Video, expectedStatus?: VideoStatus): Promise<void> {
    await this.cacheAside.invalidate(video.id);
    await this.inner.save(video, expectedStatus);
  }

  async saveDeletion(video: Video): Promise<void> {
    await this.cacheAside.invalidate(video.id);
    await this.inner.saveDeletion(video);
  }

  listByOwner(
    ownerId: string,
    filter: VideoListFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Video>> {
    return this.inner.listByOwner(ownerId, filter, page);
  }
}
