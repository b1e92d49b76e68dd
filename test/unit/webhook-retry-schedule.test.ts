import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS } from "../../server/src/config/config.js";
import { MAX_RETRY_AFTER_MS, nextAttemptDelayMs } from "../../server/src/modules/webhooks/domain/retry-schedule.js";
import { parseRetryAfter } from "../../server/src/modules/webhooks/infra/http-webhook-sender.js";

const delays = [5_000, 300_000, 1_800_000];
const middle = () => 0.5;

describe("nextAttemptDelayMs", () => {
  it("sends the first attempt at once and then follows the schedule", () => {
    expect(nextAttemptDelayMs(0, delays, null, middle)).toBe(0);
    expect(nextAttemptDelayMs(1, delays, null, middle)).toBe(5_000);
    expect(nextAttemptDelayMs(2, delays, null, middle)).toBe(300_000);
    expect(nextAttemptDelayMs(3, delays, null, middle)).toBe(1_800_000);
  });

  it("gives up when the schedule is exhausted", () => {
    expect(nextAttemptDelayMs(4, delays, null, middle)).toBeNull();
    expect(nextAttemptDelayMs(4, delays, 1_000, middle)).toBeNull();
    expect(nextAttemptDelayMs(1, [], null, middle)).toBeNull();
    expect(nextAttemptDelayMs(Number.POSITIVE_INFINITY, delays, null, middle)).toBeNull();
    // The default schedule: nine waits, so ten attempts in all.
    expect(nextAttemptDelayMs(9, DEFAULT_WEBHOOK_RETRY_DELAYS_MS, null, middle)).toBe(86_400_000);
    expect(nextAttemptDelayMs(10, DEFAULT_WEBHOOK_RETRY_DELAYS_MS, null, middle)).toBeNull();
  });

  it("jitters by ±10 %", () => {
    expect(nextAttemptDelayMs(1, [10_000], null, () => 0)).toBe(9_000);
    expect(nextAttemptDelayMs(1, [10_000], null, () => 0.999_999)).toBe(11_000);
    // A random source outside [0, 1) is clamped, never stretching the jitter.
    expect(nextAttemptDelayMs(1, [10_000], null, () => 7)).toBe(11_000);
    expect(nextAttemptDelayMs(1, [10_000], null, () => -3)).toBe(9_000);
    expect(nextAttemptDelayMs(1, [10_000], null, () => Number.NaN)).toBe(9_000);
  });

  it("lets a longer Retry-After win, capped at 24 h, and ignores a shorter one", () => {
    expect(nextAttemptDelayMs(1, [5_000], 60_000, middle)).toBe(60_000);
    expect(nextAttemptDelayMs(1, [5_000], 1_000, middle)).toBe(5_000);
    expect(nextAttemptDelayMs(1, [5_000], 0, middle)).toBe(5_000);
    expect(nextAttemptDelayMs(1, [5_000], 7 * MAX_RETRY_AFTER_MS, middle)).toBe(MAX_RETRY_AFTER_MS);
    expect(nextAttemptDelayMs(1, [5_000], Number.NaN, middle)).toBe(5_000);
    expect(nextAttemptDelayMs(1, [5_000], -10, middle)).toBe(5_000);
  });

  it("holds for any schedule, attempt, Retry-After and random draw", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 * MAX_RETRY_AFTER_MS }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 30 }),
        fc.option(fc.integer({ min: -1_000, max: 3 * MAX_RETRY_AFTER_MS }), { nil: null }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (schedule, made, retryAfter, draw) => {
          const delay = nextAttemptDelayMs(made, schedule, retryAfter, () => draw);
          if (made === 0) {
            expect(delay).toBe(0);
            return;
          }
          const scheduled = schedule[made - 1];
          if (scheduled === undefined) {
            expect(delay).toBeNull();
            return;
          }
          expect(delay).not.toBeNull();
          const value = delay!;
          expect(Number.isInteger(value)).toBe(true);
          // Never earlier than the jittered schedule allows…
          expect(value).toBeGreaterThanOrEqual(Math.floor(scheduled * 0.9));
          // …and never later than the larger of the jittered schedule and the capped Retry-After.
          const asked = retryAfter !== null && retryAfter > 0 ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : 0;
          expect(value).toBeLessThanOrEqual(Math.max(Math.ceil(scheduled * 1.1), asked));
          if (asked > Math.ceil(scheduled * 1.1)) expect(value).toBe(asked);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");

  it("reads delta seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 7 ", now)).toBe(7_000);
  });

  it("reads an HTTP date as the time from now, a past one as 0", () => {
    expect(parseRetryAfter("Fri, 01 May 2026 12:01:30 GMT", now)).toBe(90_000);
    expect(parseRetryAfter("Friday, 01-May-26 12:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Thu, 30 Apr 2026 12:00:00 GMT", now)).toBe(0);
  });

  it("gives null for anything else", () => {
    for (const value of [null, "", "soon", "-5", "1.5", "5 seconds", "2026-05-01", "Mon, garbage"]) {
      expect(parseRetryAfter(value, now), String(value)).toBeNull();
    }
  });
});
