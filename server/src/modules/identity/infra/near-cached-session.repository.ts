import type { NewRefreshToken, SessionRepository, StoredRefreshToken } from "../application/session.repository.js";
import type { AuthStateCaches } from "./auth-state-caches.js";

/**
 * "Is this session still active?" from this process's memory: every request with an access token
 * asks it. Only active sessions are kept, and every revocation is announced to all processes
 * (AuthStateCaches), so a logout or a burnt refresh-token family ends the session on the next
 * request anywhere.
 */
export class NearCachedSessionRepository implements SessionRepository {
  constructor(
    private readonly inner: SessionRepository,
    private readonly caches: AuthStateCaches,
  ) {}

  createSession(session: { id: string; userId: string; createdAt: Date }, token: NewRefreshToken): Promise<void> {
    return this.inner.createSession(session, token);
  }

  findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | null> {
    return this.inner.findRefreshToken(tokenHash);
  }

  /** Rotation keeps the session active: nothing cached changes. */
  rotate(tokenId: string, sessionId: string, next: NewRefreshToken, now: Date): Promise<boolean> {
    return this.inner.rotate(tokenId, sessionId, next, now);
  }

  async isSessionActive(sessionId: string, userId: string): Promise<boolean> {
    const session = await this.caches.sessions.read(sessionId, async () =>
      (await this.inner.isSessionActive(sessionId, userId)) ? { userId } : undefined,
    );
    return session?.userId === userId;
  }

  async revokeSession(sessionId: string, reason: string, now: Date): Promise<void> {
    await this.inner.revokeSession(sessionId, reason, now);
    await this.caches.invalidate({ kind: "session", id: sessionId });
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<number> {
    const revoked = await this.inner.revokeAllForUser(userId, reason, now, exceptSessionId);
    // The kept session is dropped too: one reload, and the message stays one id.
    await this.caches.invalidate({ kind: "userSessions", id: userId });
    return revoked;
  }
}
