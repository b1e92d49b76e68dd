/** A playback session counts once per token per window (docs/playback.md). */
export const VIEW_WINDOW_MS = 30 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The window `now` falls in, and its UTC day: windows never straddle midnight, 30 minutes divide a day. */
export function viewWindowOf(now: Date): { windowStart: Date; day: Date } {
  const start = Math.floor(now.getTime() / VIEW_WINDOW_MS) * VIEW_WINDOW_MS;
  return { windowStart: new Date(start), day: new Date(Math.floor(start / DAY_MS) * DAY_MS) };
}
