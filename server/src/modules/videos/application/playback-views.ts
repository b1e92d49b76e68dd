import { inject, injectable } from "inversify";
import { LRUCache } from "lru-cache";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { LOGGER, type Logger } from "../../../shared/application/logger.js";
import { newId } from "../../../shared/domain/ids.js";
import { viewWindowOf } from "../domain/view-window.js";
import type { PlaybackClaims } from "./playback-tokens.js";
import { PLAYBACK_VIEW_REPOSITORY, type PlaybackViewRepository } from "./playback-view.repository.js";

/** Sessions remembered as counted in this process; an evicted one costs one more (idempotent) insert. */
const REMEMBERED = 50_000;
/** Inserts in flight at once; past it a fetch is not counted (and logged) rather than queue without bound. */
const MAX_IN_FLIGHT = 1_000;

/**
 * Counts a playback session once per token per 30-minute window, when its master playlist is fetched.
 * The database's unique (token_id, window_start) makes the count exact across processes and races;
 * the LRU in front keeps the repeated fetches of one session (players reload, 20 tabs race) off the
 * database. Counting never holds up or fails the playlist: the insert runs after the answer is on
 * its way, and a failure is logged and forgotten, so a later fetch of that session tries again.
 */
@injectable()
export class PlaybackViews {
  private readonly counted = new LRUCache<string, true>({ max: REMEMBERED });
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @inject(PLAYBACK_VIEW_REPOSITORY) private readonly views: PlaybackViewRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  count(claims: PlaybackClaims): void {
    const { windowStart, day } = viewWindowOf(this.clock.now());
    const key = `${claims.tokenId}@${windowStart.getTime()}`;
    if (this.counted.has(key)) return;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.logger.warn("playback view not counted: too many view inserts in flight", { videoId: claims.videoId });
      return;
    }
    this.counted.set(key, true);
    const insert = this.views
      .record({ id: newId(), videoId: claims.videoId, tokenId: claims.tokenId, windowStart, day })
      .then(
        () => undefined,
        (error: unknown) => {
          this.counted.delete(key);
          this.logger.warn("playback view not counted", { videoId: claims.videoId, error });
        },
      )
      .finally(() => this.inFlight.delete(insert));
    this.inFlight.add(insert);
  }

  /** Resolves once every insert started so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
