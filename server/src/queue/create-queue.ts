import type { AppConfig } from "../config/config.js";
import { maskRedisUrl } from "../cache/create-cache.js";
import type { Database } from "../database/database.js";
import { JOB_QUEUE, type JobQueue } from "../shared/application/job-queue.js";
import type { Logger } from "../shared/application/logger.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { EmbeddedQueue } from "./embedded.queue.js";

/**
 * BullMQ when REDIS_URL is set; otherwise the jobs table, run inside the API process. BullMQ (and
 * ioredis) is imported only when it is configured.
 */
export async function createJobQueue(config: AppConfig, logger: Logger, database: Database): Promise<PlatformAdapter<JobQueue>> {
  if (config.redisUrl) {
    const { BullQueue } = await import("./bullmq.queue.js");
    const queue = new BullQueue({
      url: config.redisUrl,
      prefix: config.jobs.queuePrefix,
      concurrency: config.jobs.concurrency,
      lockDurationMs: config.jobs.lockMs,
      stalledIntervalMs: config.jobs.stalledIntervalMs,
      logger,
      strandedJobs: { database },
    });
    return {
      port: "job queue",
      token: JOB_QUEUE,
      value: queue,
      describe: `BullMQ (${maskRedisUrl(config.redisUrl)}, prefix ${config.jobs.queuePrefix})`,
      close: () => queue.close(),
      healthCheck: { name: "queue", adapter: "bullmq", check: () => queue.ping() },
    };
  }
  const queue = new EmbeddedQueue(database, {
    concurrency: config.jobs.concurrency,
    singleProcess: database.kind === "pglite",
    logger,
  });
  return {
    port: "job queue",
    token: JOB_QUEUE,
    value: queue,
    describe: `embedded (the jobs table, run in this process)`,
    close: () => queue.close(),
    healthCheck: { name: "queue", adapter: "embedded", check: async () => void (await database.ping()) },
  };
}
