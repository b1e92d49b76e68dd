import { z } from "zod";
import { InvalidationChannel, type CommitHooks } from "../../../cache/invalidation-channel.js";
import { NearCache } from "../../../cache/near-cache.js";
import type { EventBus } from "../../../shared/application/event-bus.js";
import type { Logger } from "../../../shared/application/logger.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { VideoListFilter, VideoRepository } from "../application/video.repository.js";
import type { VideoStatus } from "../domain/video-status.js";
import { Video, type VideoState } from "../domain/video.entity.js";

export const VIDEO_INVALIDATION_CHANNEL = "videos:invalidate";
/** A few MB of plain state: the videos being watched, polled and checked at once in one process. */
const MAX_ENTRIES = 20_000;
/** How long a stale entry can outlive an invalidation that was lost without the bus noticing. */
const SAFETY_TTL_MS = 60_000;

type VideoInvalidation = { id: string };
const wireMessage = z.object({ id: z.string() });

/**
 * Videos by id from this process's memory, in front of the shared cache (CachedVideoRepository):
 * videos.get and every access check load the video, and a hit should cost no round trip at all.
 * Kept fresh as the authentication state is (docs/adr/0014): every save, from the API or a worker,
 * is announced on the event bus after it commits, and the caches of every process drop the video
 * before the writer answers.
 */
export class NearCachedVideoRepository implements VideoRepository {
  private readonly videos: NearCache<VideoState>;
  private readonly channel: InvalidationChannel<VideoInvalidation>;

  constructor(
    private readonly inner: VideoRepository,
    bus: EventBus,
    database: CommitHooks,
    logger: Logger,
  ) {
    this.videos = new NearCache({ maxEntries: MAX_ENTRIES, ttlMs: SAFETY_TTL_MS, transactions: database });
    this.channel = new InvalidationChannel(bus, database, logger, {
      name: VIDEO_INVALIDATION_CHANNEL,
      message: wireMessage,
      apply: ({ id }) => this.videos.delete(id),
      caches: [this.videos],
    });
  }

  /** Subscribes to the invalidations; until delivery is live every read goes to the inner repository. */
  listen(): Promise<void> {
    return this.channel.listen();
  }

  async findById(id: string): Promise<Video | null> {
    const state = await this.videos.read(id, async () => (await this.inner.findById(id))?.toState());
    // A fresh entity per read: a caller that changes it must not change what the next request sees.
    return state ? Video.rehydrate(state) : null;
  }

  findByIdForWrite(id: string): Promise<Video | null> {
    return this.inner.findByIdForWrite(id);
  }

  findByIdForUpdate(id: string): Promise<Video | null> {
    return this.inner.findByIdForUpdate(id);
  }

  /** A new id has no entry anywhere: "not found" is never cached. */
  create(video: Video): Promise<void> {
    return this.inner.create(video);
  }

  async save(video: Video, expectedStatus?: VideoStatus): Promise<void> {
    await this.inner.save(video, expectedStatus);
    await this.channel.invalidate({ id: video.id });
  }

  async saveDeletion(video: Video): Promise<void> {
    await this.inner.saveDeletion(video);
    await this.channel.invalidate({ id: video.id });
  }

  listByOwner(
    ownerId: string,
    filter: VideoListFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Video>> {
    return this.inner.listByOwner(ownerId, filter, page);
  }
}
