import { isStorableDate } from "../domain/date-range.js";
import { DomainError } from "../domain/domain-error.js";
import { ErrorCodes } from "../domain/error-codes.js";
import { isUuid } from "../domain/ids.js";

/** Keyset position: newest first, id breaks ties so the order is total and stable. */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString("base64url");
}

/**
 * The one cursor codec. A cursor comes back from the client, so whatever it decodes to goes into SQL:
 * only a UUID and a date PostgreSQL can hold get that far (a crafted one was a 500 before).
 */
export function decodeCursor(cursor: string): CursorPosition {
  const position = tryDecodeCursor(cursor);
  if (!position) throw new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Invalid cursor", { field: "cursor" });
  return position;
}

export function isCursor(cursor: string): boolean {
  return tryDecodeCursor(cursor) !== null;
}

function tryDecodeCursor(cursor: string): CursorPosition | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [createdAt, id]: unknown[] = parsed;
  if (typeof createdAt !== "string" || typeof id !== "string" || !isUuid(id)) return null;
  const date = new Date(createdAt);
  return isStorableDate(date) ? { createdAt: date, id } : null;
}

/** Repositories fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<T extends CursorPosition, R>(rows: T[], limit: number, map: (row: T) => R): Page<R> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
