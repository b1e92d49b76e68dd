/**
 * The instants the API accepts from clients, in filters and in cursors. PostgreSQL stores
 * 4713 BC to 294276 AD, but it has no year 0, and a Date outside years 0–9999 prints in ISO 8601's
 * expanded form ("+010000-…", "-000001-…") that the driver passes on and PostgreSQL rejects: either
 * way a 500. Years 1000–9999 keep every instant a plain four-digit year in UTC, whatever offset it was
 * written with, and still hold any date a client could mean (nothing in Reelbase predates 2020).
 */
export const EARLIEST_DATE = new Date("1000-01-01T00:00:00.000Z");
export const LATEST_DATE = new Date("9999-12-31T23:59:59.999Z");

export function isStorableDate(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST_DATE.getTime() && time <= LATEST_DATE.getTime();
}
