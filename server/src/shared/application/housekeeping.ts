/**
 * One housekeeping chore: small, idempotent, safe to run from several processes at once (each
 * write is conditional), and bounded per run (a backlog is worked off over several runs).
 */
export interface HousekeepingTask {
  /** Stable and unique (letters, digits, dashes): the scheduler's id for the task. */
  readonly name: string;
  /**
   * A chore about this machine (its scratch folders), not the shared database or storage: every
   * process runs it on its own timer, where a shared chore runs once per interval in the deployment.
   */
  readonly perProcess?: boolean;
  /** One round. Returns what it did, as counts ({ removed: 3 }); all zero when there was nothing to do. */
  run(): Promise<HousekeepingReport>;
}

export type HousekeepingReport = Record<string, number>;

/** Multi-bound: each context registers its own tasks in its module. */
export const HOUSEKEEPING_TASK = Symbol.for("HousekeepingTask");

/** The most rows one run of a task touches. */
export const HOUSEKEEPING_BATCH = 100;
