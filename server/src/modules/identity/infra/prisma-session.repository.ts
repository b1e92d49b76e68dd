import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { NewRefreshToken, SessionRepository, StoredRefreshToken } from "../application/session.repository.js";

@injectable()
export class PrismaSessionRepository implements SessionRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async createSession(session: { id: string; userId: string; createdAt: Date }, token: NewRefreshToken): Promise<void> {
    await this.db.client.session.create({
      data: { ...session, tokens: { create: { ...token, createdAt: session.createdAt } } },
    });
  }

  async findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | null> {
    const row = await this.db.client.refreshToken.findUnique({
      where: { tokenHash },
      include: { session: { select: { userId: true, revokedAt: true } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      sessionId: row.sessionId,
      userId: row.session.userId,
      expiresAt: row.expiresAt,
      rotatedAt: row.rotatedAt,
      sessionRevokedAt: row.session.revokedAt,
    };
  }

  rotate(tokenId: string, sessionId: string, next: NewRefreshToken, now: Date): Promise<boolean> {
    return this.db.transaction(async () => {
      // The conditional update is the lock: of two concurrent rotations exactly one sees count 1.
      const { count } = await this.db.client.refreshToken.updateMany({
        where: { id: tokenId, rotatedAt: null },
        data: { rotatedAt: now },
      });
      if (count !== 1) return false;
      await this.db.client.refreshToken.create({ data: { ...next, sessionId, createdAt: now } });
      return true;
    });
  }

  async isSessionActive(sessionId: string, userId: string): Promise<boolean> {
    const found = await this.db.client.session.count({ where: { id: sessionId, userId, revokedAt: null } });
    return found === 1;
  }

  async revokeSession(sessionId: string, reason: string, now: Date): Promise<void> {
    await this.db.client.session.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: now, revokedReason: reason },
    });
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<number> {
    const { count } = await this.db.client.session.updateMany({
      where: { userId, revokedAt: null, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
      data: { revokedAt: now, revokedReason: reason },
    });
    return count;
  }
}
