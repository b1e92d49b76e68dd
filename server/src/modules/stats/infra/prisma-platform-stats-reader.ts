import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { PlatformAggregates, PlatformStatsReader } from "../application/platform-stats-reader.js";

/**
 * Six aggregates, no rows loaded: each answers a handful of groups whatever the tables hold. They read
 * other contexts' tables directly (jobs, credit_entries, stored_files, sessions, audit_logs): a report over the
 * whole platform is the one place where a join across contexts is the point.
 */
@injectable()
export class PrismaPlatformStatsReader implements PlatformStatsReader {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async read(range: { start: Date; end: Date; firstDay: Date; lastDay: Date }): Promise<PlatformAggregates> {
    const client = this.db.client;
    const created = { gte: range.start, lt: range.end };
    // In sequence: PGlite has one connection anyway, and on PostgreSQL six at once would take six of the pool's.
    const jobs = await client.job.groupBy({ by: ["type", "status"], where: { createdAt: created }, _count: { _all: true } });
    const [transcoded] = await client.$queryRaw<{ seconds: number }[]>`
      SELECT COALESCE(SUM(v.duration_seconds), 0)::float8 AS seconds
      FROM jobs j JOIN videos v ON v.id = j.video_id
      WHERE j.type = 'TRANSCODE' AND j.status = 'SUCCEEDED'
        AND j.finished_at >= ${range.start}::timestamptz AND j.finished_at < ${range.end}::timestamptz`;
    const credits = await client.creditEntry.groupBy({ by: ["kind"], where: { createdAt: created }, _sum: { amount: true } });
    const storage = await client.storedFile.groupBy({ by: ["kind"], _count: { _all: true }, _sum: { sizeBytes: true } });
    // A refresh token is issued by every sign-up, sign-in and refresh, but goes with its session a week after
    // its last use; audit rows (sign-up, key and webhook changes, …), videos and jobs stay: docs/adr/0026.
    const [active] = await client.$queryRaw<{ users: number }[]>`
      SELECT COUNT(DISTINCT user_id)::int AS users FROM (
        SELECT s.user_id FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
        WHERE r.created_at >= ${range.start}::timestamptz AND r.created_at < ${range.end}::timestamptz
        UNION ALL
        SELECT owner_id FROM videos WHERE created_at >= ${range.start}::timestamptz AND created_at < ${range.end}::timestamptz
        UNION ALL
        SELECT owner_id FROM jobs WHERE created_at >= ${range.start}::timestamptz AND created_at < ${range.end}::timestamptz
        UNION ALL
        SELECT actor_id FROM audit_logs
        WHERE actor_id IS NOT NULL AND created_at >= ${range.start}::timestamptz AND created_at < ${range.end}::timestamptz
      ) active`;
    const views = await client.playbackView.count({ where: { day: { gte: range.firstDay, lte: range.lastDay } } });
    return {
      jobs: jobs.map((group) => ({ type: group.type, status: group.status, count: group._count._all })),
      transcodedSourceSeconds: transcoded?.seconds ?? 0,
      credits: credits.map((group) => ({ kind: group.kind, amount: group._sum.amount ?? 0 })),
      storage: storage.map((group) => ({
        kind: group.kind,
        files: group._count._all,
        bytes: Number(group._sum.sizeBytes ?? 0n),
      })),
      activeUsers: active?.users ?? 0,
      views,
    };
  }
}
