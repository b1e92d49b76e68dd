/** A scheduled delay moves by up to this share either way, so receivers that failed together are not retried together. */
export const RETRY_JITTER = 0.1;

/** The longest a receiver's Retry-After can postpone the next attempt. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * How long to wait before the next attempt, or null when the schedule is exhausted (give up).
 *
 * `delaysMs[0]` is the wait before the 2nd attempt, `delaysMs[1]` before the 3rd, and so on; the
 * first attempt is at once (0 when `attemptsMade` is 0). The scheduled delay is jittered by ±10 %.
 * A `retryAfterMs` longer than that wins, capped at 24 h; a shorter one does not bring the attempt forward.
 *
 * @param attemptsMade attempts already made (whole, ≥ 0)
 * @param random a source in [0, 1), Math.random by default (tests pass their own)
 */
export function nextAttemptDelayMs(
  attemptsMade: number,
  delaysMs: readonly number[],
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  if (Number.isNaN(attemptsMade) || attemptsMade <= 0) return 0;
  const scheduled = delaysMs[Math.floor(attemptsMade) - 1];
  if (scheduled === undefined) return null;
  const base = Number.isFinite(scheduled) ? Math.max(0, scheduled) : 0;
  const spread = Math.min(1, Math.max(0, random() || 0));
  const jittered = Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * spread));
  const asked = retryAfterMs !== null && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0;
  return Math.max(jittered, Math.round(Math.min(asked, MAX_RETRY_AFTER_MS)));
}
