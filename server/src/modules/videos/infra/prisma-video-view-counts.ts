import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { dayStart, utcDay, type DayRange } from "../../../shared/domain/day-range.js";
import type { VideoViewCounts } from "../application/video-view-counts.js";

@injectable()
export class PrismaVideoViewCounts implements VideoViewCounts {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async perDay(videoId: string, range: DayRange): Promise<Map<string, number>> {
    // One aggregate over the (video_id, day) index: at most one row per day of the range comes back.
    const groups = await this.db.client.playbackView.groupBy({
      by: ["day"],
      where: { videoId, day: { gte: dayStart(range.first), lte: dayStart(range.last) } },
      _count: { _all: true },
    });
    return new Map(groups.map((group) => [utcDay(group.day), group._count._all]));
  }
}
