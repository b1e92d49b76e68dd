export interface ExpiredSessions {
  /** Deletes (with their refresh tokens) up to `limit` sessions none of whose refresh tokens is still valid at `now`; returns how many. */
  prune(now: Date, limit: number): Promise<number>;
}

export const EXPIRED_SESSIONS = Symbol.for("ExpiredSessions");
