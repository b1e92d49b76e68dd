import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { createAppContainer } from "../../server/src/container.js";
import { BullHousekeeping, HOUSEKEEPING_QUEUE } from "../../server/src/housekeeping/bullmq-housekeeping.js";
import { startHousekeeping } from "../../server/src/housekeeping/start-housekeeping.js";
import { HOUSEKEEPING_TASK, type HousekeepingTask } from "../../server/src/shared/application/housekeeping.js";
import { backends, silentLogger, testConfig } from "../support/test-app.js";
import { TestClock } from "../support/test-clock.js";

const redisUrl = inject("redisUrl");
/** Opening a fresh PGlite takes many seconds on a busy machine: the cases that open an app get longer. */
const APP_CASE_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An app container as a process that runs jobs builds it, with its real tasks, each run counted. */
async function openApp(backend: Parameters<typeof testConfig>[0], env: Record<string, string>) {
  const { config, dispose } = await testConfig(backend, env);
  const { container, lifecycle } = await createAppContainer(config, silentLogger, new TestClock());
  const tasks = container.getAll<HousekeepingTask>(HOUSEKEEPING_TASK);
  const runs = new Map(tasks.map((task) => [task.name, vi.spyOn(task, "run")]));
  const count = (name: string) => runs.get(name)?.mock.calls.length ?? 0;
  return {
    container,
    lifecycle,
    count,
    names: tasks.map((task) => task.name),
    close: async () => (await lifecycle.close(), await dispose()),
  };
}

describe.each(backends())("embedded housekeeping on %s", (backend) => {
  it(
    "runs every task on a timer in this process and stops when the process closes",
    async () => {
      const app = await openApp(backend, { HOUSEKEEPING_INTERVAL_MS: "100" });
      try {
        await startHousekeeping(app.container, app.lifecycle);
        await vi.waitFor(() => expect(Math.min(...app.names.map(app.count))).toBeGreaterThanOrEqual(2), {
          timeout: 10_000,
          interval: 20,
        });
      } finally {
        await app.close();
      }
      const after = app.names.map(app.count);
      await sleep(400);
      expect(app.names.map(app.count)).toEqual(after);
    },
    APP_CASE_TIMEOUT_MS,
  );

  it(
    "HOUSEKEEPING=off runs nothing",
    async () => {
      const app = await openApp(backend, { HOUSEKEEPING_INTERVAL_MS: "100", HOUSEKEEPING: "off" });
      try {
        await startHousekeeping(app.container, app.lifecycle);
        await sleep(400);
        expect(app.names.map(app.count)).toEqual(app.names.map(() => 0));
      } finally {
        await app.close();
      }
    },
    APP_CASE_TIMEOUT_MS,
  );
});

describe.runIf(redisUrl)("housekeeping on BullMQ job schedulers", () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    const redis = new Redis(redisUrl ?? "");
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
  const newPrefix = () => {
    // A prefix per case: each starts on an empty Redis, as a fresh deployment would.
    const prefix = `rbhousekeeping-${process.pid}-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    return prefix;
  };

  async function schedulersOf(prefix: string) {
    const connection = new Redis(redisUrl ?? "", { maxRetriesPerRequest: null });
    const scoped = new Queue(HOUSEKEEPING_QUEUE, { connection, prefix });
    try {
      return (await scoped.getJobSchedulers()).map((scheduler) => ({ key: scheduler.key, every: scheduler.every }));
    } finally {
      await scoped.close();
      connection.disconnect();
    }
  }

  it("two workers on one Redis register each task's scheduler once, and each run happens on one of them", async () => {
    const prefix = newPrefix();
    const intervalMs = 300;
    const runs: { task: string; worker: number; at: number }[] = [];
    const tasksOf = (worker: number): HousekeepingTask[] =>
      ["alpha", "beta"].map((name) => ({
        name,
        run: async () => (runs.push({ task: name, worker, at: performance.now() }), { removed: 0 }),
      }));
    const workers = [1, 2].map(
      (worker) => new BullHousekeeping(tasksOf(worker), { url: redisUrl ?? "", prefix, intervalMs, logger: silentLogger }),
    );
    const started = performance.now();
    try {
      await Promise.all(workers.map((worker) => worker.start()));
      expect((await schedulersOf(prefix)).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: "alpha", every: intervalMs },
        { key: "beta", every: intervalMs },
      ]);
      await sleep(8 * intervalMs);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    const elapsed = performance.now() - started;
    for (const task of ["alpha", "beta"]) {
      const times = runs.filter((run) => run.task === task).map((run) => run.at);
      // Once per interval in the deployment (plus the first, at once), not once per worker.
      expect(times.length).toBeGreaterThanOrEqual(4);
      expect(times.length).toBeLessThanOrEqual(Math.ceil(elapsed / intervalMs) + 1);
      // The first run comes at once and the next on the interval's grid, so only later gaps are whole intervals.
      const gaps = times.slice(2).map((at, index) => at - (times[index + 1] as number));
      expect(Math.min(...gaps), JSON.stringify(times.map((at) => Math.round(at - started)))).toBeGreaterThan(intervalMs / 2);
    }
  });

  it("a restarted worker upserts the same schedulers again: still one each, at the configured interval", async () => {
    const prefix = newPrefix();
    const task: HousekeepingTask = { name: "gamma", run: async () => ({}) };
    for (const intervalMs of [60_000, 60_000, 120_000]) {
      const worker = new BullHousekeeping([task], { url: redisUrl ?? "", prefix, intervalMs, logger: silentLogger });
      await worker.start();
      await worker.close();
      expect(await schedulersOf(prefix)).toEqual([{ key: "gamma", every: intervalMs }]);
    }
  });

  it(
    "with REDIS_URL a process schedules the shared tasks on BullMQ and keeps the per-process one on its timer",
    async () => {
      const prefix = newPrefix();
      const app = await openApp("pglite", { REDIS_URL: redisUrl ?? "", QUEUE_PREFIX: prefix, HOUSEKEEPING_INTERVAL_MS: "200" });
      try {
        await startHousekeeping(app.container, app.lifecycle);
        const keys = (await schedulersOf(prefix)).map((scheduler) => scheduler.key).sort();
        expect(keys).toEqual([
          "abandoned-uploads",
          "expired-sessions",
          "expired-upload-sessions",
          "idempotency-keys",
          "object-deletions",
          "outbox-events",
        ]);
        await vi.waitFor(() => expect(Math.min(...app.names.map(app.count))).toBeGreaterThanOrEqual(2), {
          timeout: 10_000,
          interval: 20,
        });
      } finally {
        await app.close();
      }
    },
    APP_CASE_TIMEOUT_MS,
  );
});
