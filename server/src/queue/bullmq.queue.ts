import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Database } from "../database/database.js";
import { RETRY_BASE_MS, type JobQueue, type JobRunner } from "../shared/application/job-queue.js";
import type { Logger } from "../shared/application/logger.js";
import { outageWarnings } from "./redis-outage-warnings.js";

export interface BullQueueOptions {
  url: string;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Tests shorten these; production keeps BullMQ's lock (30 s) and checks stalls every 15 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  backoffMs?: number;
  /** Consumers look for stranded jobs in this database (below); without it they do not. */
  strandedJobs?: StrandedJobsOptions;
}

export interface StrandedJobsOptions {
  database: Database;
  /** A QUEUED row due this long ago without a pending delivery is stranded. */
  afterMs?: number;
  /** How often each consuming process looks. */
  everyMs?: number;
}

/** States in which BullMQ will still deliver a job (or is delivering it now). */
const PENDING_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);
const STRANDED_BATCH = 100;

const QUEUE_NAME = "jobs";

/**
 * Production queue: BullMQ on Redis. The API adds job ids; `npm run worker` processes (any
 * number of them). A worker that dies mid-job loses its lock, and BullMQ hands the job to another
 * worker (maxStalledCount is raised from its default 1, which would fail the job instead). The
 * job row caps attempts at 3; BullMQ's own count is higher so that the row, not Redis, decides.
 */
export class BullQueue implements JobQueue {
  private readonly producerConnection: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> = Promise.resolve();
  private workerConnection: Redis | null = null;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: BullQueueOptions) {
    // A producer fails fast while Redis is down instead of queueing commands in memory.
    this.producerConnection = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.producerConnection.on("error", () => undefined);
    const producerOutage = outageWarnings(
      this.producerConnection,
      options.logger,
      "job queue",
      "work that needs the queue is refused",
    );
    this.producerConnection.on("ready", producerOutage.over);
    this.queue = new Queue(QUEUE_NAME, {
      connection: this.producerConnection,
      prefix: options.prefix,
      defaultJobOptions: {
        attempts: 10,
        backoff: { type: "exponential", delay: options.backoffMs ?? RETRY_BASE_MS },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: false,
      },
    });
    // BullMQ re-emits connection errors on the Queue, and prints them with console.error when
    // nobody listens: every reconnect attempt of an outage would reach stderr.
    this.queue.on("error", producerOutage.failed);
  }

  async enqueue(jobId: string): Promise<void> {
    // The job id is BullMQ's id too: adding it again while it exists is a no-op.
    await this.queue.add("run", { jobId }, { jobId });
  }

  async enqueueAgain(jobId: string): Promise<void> {
    // BullMQ keeps an ended entry under the job's id, and adding that id again would be a no-op.
    const entry = await this.queue.getJob(jobId);
    if (entry && !PENDING_STATES.has(await entry.getState())) await entry.remove();
    await this.enqueue(jobId);
  }

  async startConsuming(run: JobRunner): Promise<void> {
    this.workerConnection = new Redis(this.options.url, { maxRetriesPerRequest: null });
    this.workerConnection.on("error", () => undefined);
    const workerOutage = outageWarnings(
      this.workerConnection,
      this.options.logger,
      "queue worker",
      "no job is taken until it is back",
    );
    this.workerConnection.on("ready", workerOutage.over);
    this.worker = new Worker<{ jobId: string }>(
      QUEUE_NAME,
      async (job, _token, signal) => {
        const stop = AbortSignal.any([this.shutdown.signal, ...(signal ? [signal] : [])]);
        const outcome = await run({ jobId: job.data.jobId, signal: stop });
        // BullMQ retries a job whose processor throws, after the backoff.
        if (outcome === "retry") throw new Error("transient failure; retried after backoff");
      },
      {
        connection: this.workerConnection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 15_000,
        maxStalledCount: 5,
      },
    );
    this.worker.on("error", workerOutage.failed);
    await this.worker.waitUntilReady();
    this.startSweeping();
  }

  /**
   * Delivers again the QUEUED jobs that BullMQ will never deliver: their entry was lost with
   * Redis's data, never added (the process died between the commit and the add), or ended while
   * the row still waits. Any number of processes may run this at once: adding an id that exists
   * is a no-op, and the runner claims the row with a conditional write. Returns the ids redelivered.
   */
  async redeliverStranded(): Promise<string[]> {
    const options = this.options.strandedJobs;
    if (!options) return [];
    const dueBefore = new Date(Date.now() - (options.afterMs ?? 60_000));
    const rows = await options.database.client.job.findMany({
      where: { status: "QUEUED", runAfter: { lt: dueBefore } },
      select: { id: true },
      orderBy: { runAfter: "asc" },
      take: STRANDED_BATCH,
    });
    const redelivered: string[] = [];
    for (const { id } of rows) {
      const entry = await this.queue.getJob(id);
      if (entry) {
        if (PENDING_STATES.has(await entry.getState())) continue;
        // Completed or failed while the row waits: BullMQ keeps ended entries, and adding the id again would be a no-op.
        await entry.remove();
      }
      await this.enqueue(id);
      redelivered.push(id);
    }
    if (redelivered.length > 0) this.options.logger.warn("redelivered stranded jobs", { jobIds: redelivered });
    return redelivered;
  }

  private startSweeping(): void {
    if (!this.options.strandedJobs || this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.redeliverStranded().catch((error: unknown) =>
        this.options.logger.warn("could not look for stranded jobs", { error }),
      );
    }, this.options.strandedJobs.everyMs ?? 60_000);
    this.sweepTimer.unref();
  }

  async ping(): Promise<void> {
    await this.producerConnection.ping();
  }

  async close(): Promise<void> {
    // Running jobs see the abort, hand their job back and return, so close() does not wait on ffmpeg.
    this.shutdown.abort(new Error("shutting down"));
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
    this.producerConnection.disconnect();
  }
}
