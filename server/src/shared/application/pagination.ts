import { DomainError } from "../domain/domain-error.js";
import { ErrorCodes } from "../domain/error-codes.js";

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

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through to the domain error below: a garbled cursor is the caller's mistake
  }
  throw new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Invalid cursor");
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
