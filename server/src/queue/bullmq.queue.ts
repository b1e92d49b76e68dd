import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { RETRY_BASE_MS, type JobQueue, type JobRunner } from "../shared/application/job-queue.js";
import type { Logger } from "../shared/application/logger.js";

export interface BullQueueOptions {
  url: string;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Tests shorten these; production keeps BullMQ's lock (30 s) and checks stalls every 15 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  backoffMs?: number;
}

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
  private workerConnection: Redis | null = null;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: BullQueueOptions) {
    // A producer fails fast while Redis is down instead of queueing commands in memory.
    this.producerConnection = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.producerConnection.on("error", () => undefined);
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
  }

  async enqueue(jobId: string): Promise<void> {
    // The job id is BullMQ's id too: adding it again while it exists is a no-op.
    await this.queue.add("run", { jobId }, { jobId });
  }

  async startConsuming(run: JobRunner): Promise<void> {
    this.workerConnection = new Redis(this.options.url, { maxRetriesPerRequest: null });
    this.workerConnection.on("error", () => undefined);
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
    this.worker.on("error", (error) => this.options.logger.warn("queue worker error", { error }));
    await this.worker.waitUntilReady();
  }

  async ping(): Promise<void> {
    await this.producerConnection.ping();
  }

  async close(): Promise<void> {
    // Running jobs see the abort, hand their job back and return, so close() does not wait on ffmpeg.
    this.shutdown.abort(new Error("shutting down"));
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
    this.producerConnection.disconnect();
  }
}
