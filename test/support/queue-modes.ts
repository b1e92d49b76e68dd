import { randomUUID } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { APP_CONFIG, type AppConfig } from "../../server/src/config/config.js";
import { startHttpApi, type HttpTestApi } from "./http-api.js";
import { startWorker, type WorkerProcess } from "./worker-process.js";

export interface RunningApi {
  api: HttpTestApi;
  /** The worker's output when jobs run in a worker process, else null. */
  workerOutput: (() => string) | null;
  stop(): Promise<void>;
}

/** One way a deployment runs its jobs, for suites that must hold on both. */
export interface QueueMode {
  name: string;
  available: boolean;
  start(sandbox: string): Promise<RunningApi>;
}

/** Removes a test run's BullMQ keys, so repeated runs leave nothing in the shared Redis. */
export async function dropQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * The API over real HTTP with the embedded queue (jobs run in the API process, PGlite), and with
 * BullMQ on PostgreSQL and Redis (jobs run in a separate `npm run worker` process).
 */
export function queueModes(prefix: string): QueueMode[] {
  const postgresUrl = inject("postgresUrl");
  const redisUrl = inject("redisUrl");
  return [
    {
      name: "the embedded queue (jobs run in the API process)",
      available: true,
      start: async (sandbox) => {
        const api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: path.join(sandbox, "objects") });
        return { api, workerOutput: null, stop: () => api.close() };
      },
    },
    {
      name: "BullMQ (jobs run in a separate worker process)",
      // Needs both services; REQUIRE_SERVICES/CI make their absence fail the run in global setup.
      available: Boolean(postgresUrl && redisUrl),
      start: async (sandbox) => {
        const queuePrefix = `${prefix}-${process.pid}-${randomUUID().slice(0, 8)}`;
        const env = { LOCAL_STORAGE_DIR: path.join(sandbox, "objects"), REDIS_URL: redisUrl ?? "", QUEUE_PREFIX: queuePrefix };
        const api = await startHttpApi("postgres", env);
        const config = api.container.get<AppConfig>(APP_CONFIG);
        if (config.database.kind !== "postgres") throw new Error("BullMQ mode needs the PostgreSQL scratch database");
        if (config.jobs.runInApi) throw new Error("with REDIS_URL the API must not run jobs itself");
        let worker: WorkerProcess;
        try {
          worker = await startWorker({
            ...env,
            NODE_ENV: "test",
            DATABASE_URL: config.database.url,
            JWT_SECRET: config.auth.jwtSecret,
          });
        } catch (error) {
          await api.close();
          throw error;
        }
        return {
          api,
          workerOutput: () => worker.output(),
          stop: async () => {
            await worker.stop();
            await api.close();
            await dropQueueKeys(redisUrl ?? "", queuePrefix);
          },
        };
      },
    },
  ];
}
