/** The raw aggregates behind admin.stats, each one SQL aggregate; the query shapes them. */
export interface PlatformAggregates {
  /** Jobs created in the range, per type and status. */
  jobs: { type: string; status: string; count: number }[];
  /** Source seconds of TRANSCODE jobs that SUCCEEDED in the range (each job counts its source once). */
  transcodedSourceSeconds: number;
  /** Ledger entries made in the range: the signed sum of their amounts, per kind. */
  credits: { kind: string; amount: number }[];
  /** Every stored file now, per kind. */
  storage: { kind: string; files: number; bytes: number }[];
  /** Users who, in the range, signed in or refreshed a session, created a video or a job, or did something audited. */
  activeUsers: number;
  /** Playback views on the days of the range. */
  views: number;
}

export interface PlatformStatsReader {
  /** `start` inclusive, `end` exclusive; `firstDay`/`lastDay` the same range as DATE values, for day columns. */
  read(range: { start: Date; end: Date; firstDay: Date; lastDay: Date }): Promise<PlatformAggregates>;
}

export const PLATFORM_STATS_READER = Symbol.for("PlatformStatsReader");
