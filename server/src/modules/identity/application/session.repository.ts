import type { RefreshTokenRecord } from "../domain/refresh-token.js";

export interface NewRefreshToken {
  id: string;
  tokenHash: string;
  expiresAt: Date;
}

export interface StoredRefreshToken extends RefreshTokenRecord {
  userId: string;
}

export interface SessionRepository {
  createSession(session: { id: string; userId: string; createdAt: Date }, token: NewRefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | null>;
  /**
   * Marks `tokenId` rotated and stores its successor, only if it was not rotated already.
   * Returns false when another request won the race: the caller treats that as reuse.
   */
  rotate(tokenId: string, sessionId: string, next: NewRefreshToken, now: Date): Promise<boolean>;
  isSessionActive(sessionId: string, userId: string): Promise<boolean>;
  revokeSession(sessionId: string, reason: string, now: Date): Promise<void>;
  revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<number>;
}

export const SESSION_REPOSITORY = Symbol.for("SessionRepository");
