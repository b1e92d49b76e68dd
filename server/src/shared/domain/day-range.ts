import { DomainError } from "./domain-error.js";
import { EARLIEST_DATE, isStorableDate, LATEST_DATE } from "./date-range.js";
import { ErrorCodes } from "./error-codes.js";

/** The longest range a per-day query answers: a year, leap day included, so every answer stays small. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;

/** Whole UTC days, `first` to `last` inclusive, as "YYYY-MM-DD". */
export interface DayRange {
  first: string;
  last: string;
}

export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Midnight UTC starting a "YYYY-MM-DD" day. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function addDays(day: string, days: number): string {
  return utcDay(new Date(dayStart(day).getTime() + days * DAY_MS));
}

/** The instants a range covers: [start of its first day, start of the day after its last). */
export function rangeInstants(range: DayRange): { start: Date; end: Date } {
  return { start: dayStart(range.first), end: new Date(dayStart(range.last).getTime() + DAY_MS) };
}

export function daysIn(range: DayRange): string[] {
  const count = Math.round((dayStart(range.last).getTime() - dayStart(range.first).getTime()) / DAY_MS) + 1;
  return Array.from({ length: count }, (_, index) => addDays(range.first, index));
}

/**
 * The range a caller asked for, with what was left out filled in: `to` defaults to today (UTC) and
 * `from` to `defaultDays` days ending at `to`. Refused (400 DATE_RANGE_INVALID, naming both ends) when `from` comes after
 * `to` or the range spans more than MAX_RANGE_DAYS: a default end can make a lone `from` too far back.
 */
export function resolveDayRange(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  defaultDays: number,
): DayRange {
  const last = input.to ?? utcDay(now);
  const first = input.from ?? addDays(last, -(defaultDays - 1));
  const span = Math.round((dayStart(last).getTime() - dayStart(first).getTime()) / DAY_MS) + 1;
  if (span < 1) {
    throw new DomainError(ErrorCodes.DATE_RANGE_INVALID, "BAD_REQUEST", `from (${first}) must not be after to (${last})`, {
      from: first,
      to: last,
    });
  }
  const { start, end } = rangeInstants({ first, last });
  // The instants go to the database: a default `from` before year 1000, or the end of 9999-12-31, would not store.
  if (!isStorableDate(start) || !isStorableDate(end)) {
    throw new DomainError(
      ErrorCodes.DATE_RANGE_INVALID,
      "BAD_REQUEST",
      `A range lies between ${utcDay(EARLIEST_DATE)} and ${utcDay(new Date(LATEST_DATE.getTime() - DAY_MS))}`,
      { from: first, to: last },
    );
  }
  if (span > MAX_RANGE_DAYS) {
    throw new DomainError(
      ErrorCodes.DATE_RANGE_INVALID,
      "BAD_REQUEST",
      `A range covers at most ${MAX_RANGE_DAYS} days; ${first} to ${last} is ${span}`,
      { from: first, to: last, maxDays: MAX_RANGE_DAYS },
    );
  }
  return { first, last };
}
