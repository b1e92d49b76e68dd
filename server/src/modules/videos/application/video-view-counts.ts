import type { DayRange } from "../../../shared/domain/day-range.js";

/** Reads playback_views, which the playback context writes (one row per token per 30-minute window). */
export interface VideoViewCounts {
  /** Views per UTC day ("YYYY-MM-DD") of the range; days without a view are absent. */
  perDay(videoId: string, range: DayRange): Promise<Map<string, number>>;
}

export const VIDEO_VIEW_COUNTS = Symbol.for("VideoViewCounts");
