import type { HousekeepingTask } from "../shared/application/housekeeping.js";
import type { Logger } from "../shared/application/logger.js";
import { runHousekeepingTask } from "./run-task.js";

export interface TimerHousekeepingOptions {
  intervalMs: number;
  logger: Logger;
}

/**
 * Housekeeping on a timer in this process: the embedded mode's scheduler for every task, and
 * every mode's for the per-process ones. Each tick runs the tasks one after another; a tick that
 * comes while the last round still runs is skipped. The timer does not keep the process alive,
 * and close() stops it and waits for the round under way.
 */
export class TimerHousekeeping {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly tasks: readonly HousekeepingTask[],
    private readonly options: TimerHousekeepingOptions,
  ) {}

  /** The tasks it runs, for the start-up line. */
  describe(): string {
    return this.tasks.map((task) => task.name).join(", ") || "nothing";
  }

  start(): void {
    if (this.timer || this.closed || this.tasks.length === 0) return;
    this.timer = setInterval(() => {
      if (!this.round) this.round = this.runAll().finally(() => (this.round = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One round of every task; a failing task is logged and the others still run. */
  async runAll(): Promise<void> {
    for (const task of this.tasks) {
      if (this.closed) return;
      await runHousekeepingTask(task, this.options.logger).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
  }
}
