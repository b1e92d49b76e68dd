import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { dayStart, rangeInstants, resolveDayRange, type DayRange } from "../../../shared/domain/day-range.js";
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from "../../jobs/application/index.js";
import { STORED_FILE_KINDS, type StoredFileKind } from "../../videos/application/index.js";
import { PLATFORM_STATS_READER, type PlatformStatsReader } from "./platform-stats-reader.js";

export const STATS_DEFAULT_DAYS = 30;

export interface PlatformStats {
  range: DayRange;
  /** Every type and status, zero included, so a dashboard never meets a missing key. */
  jobs: Record<JobType, Record<JobStatus, number>>;
  sourceMinutesProcessed: number;
  credits: { charged: number; refunded: number; granted: number; adminGranted: number };
  storage: Record<StoredFileKind, { files: number; bytes: number }> & { totalBytes: number };
  activeUsers: number;
  views: number;
}

/** admin.stats: what the platform did over whole UTC days (docs/adr/0026 says what each number counts). */
@injectable()
export class PlatformStatsQuery {
  constructor(
    @inject(PLATFORM_STATS_READER) private readonly reader: PlatformStatsReader,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(input: { from?: string | undefined; to?: string | undefined }): Promise<PlatformStats> {
    const range = resolveDayRange(input, this.clock.now(), STATS_DEFAULT_DAYS);
    const aggregates = await this.reader.read({
      ...rangeInstants(range),
      firstDay: dayStart(range.first),
      lastDay: dayStart(range.last),
    });

    const jobCounts = new Map(aggregates.jobs.map((group) => [`${group.type}/${group.status}`, group.count]));
    const jobs = recordOf(JOB_TYPES, (type) => recordOf(JOB_STATUSES, (status) => jobCounts.get(`${type}/${status}`) ?? 0));
    const credits = new Map(aggregates.credits.map((group) => [group.kind, group.amount]));
    const stored = new Map(aggregates.storage.map((group) => [group.kind, group]));
    const storage = recordOf(STORED_FILE_KINDS, (kind) => ({
      files: stored.get(kind)?.files ?? 0,
      bytes: stored.get(kind)?.bytes ?? 0,
    }));

    return {
      range,
      jobs,
      // Two decimals: enough for a dashboard, and the sum of float seconds carries no more meaning.
      sourceMinutesProcessed: Math.round((aggregates.transcodedSourceSeconds / 60) * 100) / 100,
      credits: {
        // CHARGE amounts are negative in the ledger; a dashboard shows what was taken as a positive number (0 - x: never -0).
        charged: 0 - (credits.get("CHARGE") ?? 0),
        refunded: credits.get("REFUND") ?? 0,
        granted: credits.get("GRANT") ?? 0,
        adminGranted: credits.get("ADMIN_GRANT") ?? 0,
      },
      storage: { ...storage, totalBytes: STORED_FILE_KINDS.reduce((sum, kind) => sum + storage[kind].bytes, 0) },
      activeUsers: aggregates.activeUsers,
      views: aggregates.views,
    };
  }
}

/** One entry per key, in the keys' order: every key is there, whatever the database returned. */
function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}
