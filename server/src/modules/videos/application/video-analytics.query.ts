import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { daysIn, resolveDayRange, type DayRange } from "../../../shared/domain/day-range.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_VIEW_COUNTS, type VideoViewCounts } from "./video-view-counts.js";

/** What a chart of the last month wants when the caller names no range. */
export const ANALYTICS_DEFAULT_DAYS = 30;

export interface VideoAnalytics {
  range: DayRange;
  total: number;
  /** Every day of the range, oldest first, zero-view days included. */
  days: { day: string; views: number }[];
}

/** Views per UTC day of one video, for its owner or an admin (anyone else: VIDEO_NOT_FOUND). */
@injectable()
export class VideoAnalyticsQuery {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(VIDEO_VIEW_COUNTS) private readonly views: VideoViewCounts,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(
    caller: Caller,
    input: { id: string; from?: string | undefined; to?: string | undefined },
  ): Promise<VideoAnalytics> {
    const range = resolveDayRange(input, this.clock.now(), ANALYTICS_DEFAULT_DAYS);
    await this.access.visible(caller, input.id);
    const counts = await this.views.perDay(input.id, range);
    const days = daysIn(range).map((day) => ({ day, views: counts.get(day) ?? 0 }));
    return { range, total: days.reduce((sum, day) => sum + day.views, 0), days };
  }
}
