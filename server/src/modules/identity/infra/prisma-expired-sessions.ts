import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { ExpiredSessions } from "../application/expired-sessions.js";

@injectable()
export class PrismaExpiredSessions implements ExpiredSessions {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async prune(now: Date, limit: number): Promise<number> {
    const expired = await this.db.client.session.findMany({
      where: { tokens: { none: { expiresAt: { gt: now } } } },
      orderBy: { createdAt: "asc" },
      take: limit,
      select: { id: true },
    });
    if (expired.length === 0) return 0;
    // The condition again: a rotation that committed since the read gave the session a fresh token.
    const { count } = await this.db.client.session.deleteMany({
      where: { id: { in: expired.map((session) => session.id) }, tokens: { none: { expiresAt: { gt: now } } } },
    });
    return count;
  }
}
