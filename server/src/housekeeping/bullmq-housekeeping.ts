import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { HousekeepingTask } from "../shared/application/housekeeping.js";
import type { Logger } from "../shared/application/logger.js";
import { runHousekeepingTask } from "./run-task.js";
import { outageWarnings } from "../queue/redis-outage-warnings.js";

export interface BullHousekeepingOptions {
  url: string;
  prefix: string;
  intervalMs: number;
  logger: Logger;
}

export const HOUSEKEEPING_QUEUE = "housekeeping";

/**
 * Housekeeping with Redis: one BullMQ job scheduler per task (its id is the task's name), on a
 * queue of its own under the deployment's prefix. Every worker upserts the same schedulers, which
 * BullMQ keeps once, and consumes the queue, so each run of a task happens on one worker, however
 * many there are. Upserting again (a restart) keeps the next run where it was.
 */
export class BullHousekeeping {
  private readonly producerConnection: Redis;
  private readonly queue: Queue;
  private workerConnection: Redis | null = null;
  private worker: Worker | null = null;
  private readonly byName: Map<string, HousekeepingTask>;

  constructor(
    tasks: readonly HousekeepingTask[],
    private readonly options: BullHousekeepingOptions,
  ) {
    this.byName = new Map(tasks.map((task) => [task.name, task]));
    this.producerConnection = new Redis(options.url, { maxRetriesPerRequest: 1 });
    this.producerConnection.on("error", () => undefined);
    const producerOutage = outageWarnings(this.producerConnection, options.logger, "housekeeping", "no task is scheduled");
    this.producerConnection.on("ready", producerOutage.over);
    this.queue = new Queue(HOUSEKEEPING_QUEUE, { connection: this.producerConnection, prefix: options.prefix });
    // Unheard, BullMQ prints the Queue's connection errors with console.error, once per reconnect attempt.
    this.queue.on("error", producerOutage.failed);
  }

  async start(): Promise<void> {
    for (const name of this.byName.keys()) {
      await this.queue.upsertJobScheduler(
        name,
        { every: this.options.intervalMs },
        { name, opts: { removeOnComplete: true, removeOnFail: { count: 50 } } },
      );
    }
    this.workerConnection = new Redis(this.options.url, { maxRetriesPerRequest: null });
    this.workerConnection.on("error", () => undefined);
    const workerOutage = outageWarnings(this.workerConnection, this.options.logger, "housekeeping worker", "no task runs");
    this.workerConnection.on("ready", workerOutage.over);
    this.worker = new Worker(
      HOUSEKEEPING_QUEUE,
      async (job) => {
        // A scheduler left by another version of the code names a task this one does not have.
        const task = this.byName.get(job.name);
        if (task) await runHousekeepingTask(task, this.options.logger);
      },
      { connection: this.workerConnection, prefix: this.options.prefix, concurrency: 1 },
    );
    this.worker.on("error", workerOutage.failed);
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
    this.producerConnection.disconnect();
  }
}
