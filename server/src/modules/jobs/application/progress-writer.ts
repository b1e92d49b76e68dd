import type { Job } from "../domain/job.entity.js";

/** Progress is written at most this often, and at least this often while a job runs (a heartbeat). */
export const PROGRESS_WRITE_INTERVAL_MS = 500;

/**
 * Persists a running job's progress at a bounded rate. Each write is conditional on the job's
 * revision: a write that finds the row changed (a cancel) calls `onLost`, which stops the run.
 */
export class ProgressWriter {
  private pending: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: Job,
    private readonly write: (job: Job) => Promise<boolean>,
    private readonly onLost: () => void,
    private readonly now: () => Date,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(), PROGRESS_WRITE_INTERVAL_MS);
    this.timer.unref();
  }

  report(percent: number): void {
    this.pending = percent;
  }

  /** Stops writing; resolves once a write in flight has finished, so the job's revision is settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
  }

  private flush(): void {
    const percent = this.pending;
    this.pending = null;
    if (percent === null || !this.job.reportProgress(percent, this.now())) return;
    this.writing = this.writing.then(async () => {
      if (!(await this.write(this.job))) this.onLost();
    });
  }
}
