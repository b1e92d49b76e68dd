import type { Logger } from "../shared/application/logger.js";

export interface PollingLoopOptions {
  name: string;
  /** How long to sleep when a step found nothing, unless woken earlier. */
  pollMs: number;
  logger: Logger;
  /**
   * One round of work. True: there may be more, run again at once. False: sleep until woken or
   * `pollMs` passes. A throw is logged (once per streak) and treated as false.
   */
  step: (signal: AbortSignal) => Promise<boolean>;
}

/** A loop over a table that is also a queue: claim due rows, work them, sleep; wake early on demand. */
export class PollingLoop {
  private readonly stop = new AbortController();
  private wakeSleeper: (() => void) | null = null;
  private woken = false;
  private running: Promise<void> | null = null;
  private failing = false;

  constructor(private readonly options: PollingLoopOptions) {}

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Runs a step soon even if the loop is asleep (new rows were committed in this process). */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  async close(): Promise<void> {
    this.stop.abort(new Error("shutting down"));
    this.wakeSleeper?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stop.signal.aborted) {
      this.woken = false;
      let more = false;
      try {
        more = await this.options.step(this.stop.signal);
        if (this.failing) this.options.logger.info(`${this.options.name}: working again`);
        this.failing = false;
      } catch (error) {
        if (!this.failing && !this.stop.signal.aborted)
          this.options.logger.warn(`${this.options.name}: a round failed; trying again`, { error });
        this.failing = true;
      }
      if (!more && !this.woken) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.wakeSleeper = done;
    });
  }
}
