import type { Database } from "../database/database.js";
import { retryDelayMs, type JobQueue, type JobRunner } from "../shared/application/job-queue.js";
import type { Logger } from "../shared/application/logger.js";

export interface EmbeddedQueueOptions {
  concurrency: number;
  /** How often the table is looked at when nothing woke the queue (retries coming due, other processes' jobs). */
  pollMs?: number;
  /** A RUNNING job whose row has not been touched for this long lost its process: deliver it again. */
  staleRunMs?: number;
  /** PGlite belongs to one process: whatever is RUNNING at start-up was left by a crash. */
  singleProcess: boolean;
  logger: Logger;
}

const HEARTBEAT_MS = 10_000;

/**
 * The queue without Redis: the jobs table itself. Rows due to run are delivered to the runner,
 * which claims each with a conditional write, so several loops (or API processes sharing one
 * PostgreSQL) never run a job twice at once. Retries wait in the row (`run_after`).
 */
export class EmbeddedQueue implements JobQueue {
  private readonly pollMs: number;
  private readonly staleRunMs: number;
  private readonly running = new Set<string>();
  private readonly shutdown = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly waiters = new Set<() => void>();
  private recoverAll: boolean;

  constructor(
    private readonly db: Database,
    private readonly options: EmbeddedQueueOptions,
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.staleRunMs = options.staleRunMs ?? 60_000;
    this.recoverAll = options.singleProcess;
  }

  async enqueue(_jobId: string): Promise<void> {
    // The committed row is the queue entry; only the idle loops need telling.
    this.wakeAll();
  }

  async enqueueAgain(jobId: string): Promise<void> {
    await this.enqueue(jobId);
  }

  async startConsuming(run: JobRunner): Promise<void> {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(run));
  }

  async close(): Promise<void> {
    this.shutdown.abort(new Error("shutting down"));
    this.wakeAll();
    await Promise.all(this.loops);
  }

  private async loop(run: JobRunner): Promise<void> {
    while (!this.shutdown.signal.aborted) {
      let jobId: string | null = null;
      try {
        jobId = await this.nextDue();
        if (!jobId) {
          await this.idle();
          continue;
        }
        this.running.add(jobId);
        const heartbeat = setInterval(() => void this.touch(jobId as string), HEARTBEAT_MS);
        try {
          const outcome = await run({ jobId, signal: this.shutdown.signal });
          if (outcome === "retry") await this.delayRetry(jobId);
        } finally {
          clearInterval(heartbeat);
        }
      } catch (error) {
        this.options.logger.error("embedded queue: a delivery failed", { jobId, error });
        await this.idle();
      } finally {
        if (jobId) this.running.delete(jobId);
      }
    }
  }

  private async nextDue(): Promise<string | null> {
    const staleBefore = new Date(Date.now() - (this.recoverAll ? 0 : this.staleRunMs));
    const skip = [...this.running];
    const rows = await this.db.client.job.findMany({
      where: {
        OR: [
          { status: "QUEUED", runAfter: { lte: new Date() } },
          { status: "RUNNING", updatedAt: { lt: staleBefore } },
        ],
        ...(skip.length > 0 ? { id: { notIn: skip } } : {}),
      },
      orderBy: [{ runAfter: "asc" }, { createdAt: "asc" }],
      select: { id: true },
      take: 1,
    });
    if (rows.length === 0) this.recoverAll = false;
    return rows[0]?.id ?? null;
  }

  private async delayRetry(jobId: string): Promise<void> {
    const job = await this.db.client.job.findUnique({ where: { id: jobId }, select: { attempts: true } });
    if (!job) return;
    await this.db.client.job.updateMany({
      where: { id: jobId, status: "QUEUED" },
      data: { runAfter: new Date(Date.now() + retryDelayMs(job.attempts)) },
    });
  }

  /** Keeps a long run from looking abandoned to other processes sharing the table. */
  private async touch(jobId: string): Promise<void> {
    await this.db.client.job
      .updateMany({ where: { id: jobId, status: "RUNNING" }, data: { updatedAt: new Date() } })
      .catch((error: unknown) => this.options.logger.warn("embedded queue: heartbeat failed", { jobId, error }));
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.waiters.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
