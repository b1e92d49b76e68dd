import type { Container } from "inversify";
import { APP_CONFIG, type AppConfig } from "../config/config.js";
import { HOUSEKEEPING_TASK, type HousekeepingTask } from "../shared/application/housekeeping.js";
import { LOGGER, type Logger } from "../shared/application/logger.js";
import type { Lifecycle } from "../shared/lifecycle.js";
import { TimerHousekeeping } from "./timer-housekeeping.js";

/**
 * Starts the scheduled chores in a process that runs jobs (a worker; the API without Redis or with
 * RUN_JOBS_IN_API) and registers their stop with the lifecycle. With Redis the shared chores run on
 * BullMQ job schedulers (once per interval in the deployment); without it, and for the chores about
 * this machine, on a timer here. HOUSEKEEPING=off starts nothing.
 */
export async function startHousekeeping(container: Container, lifecycle: Lifecycle): Promise<void> {
  const config = container.get<AppConfig>(APP_CONFIG);
  const logger = container.get<Logger>(LOGGER);
  if (!config.housekeeping.enabled) {
    logger.info("housekeeping: off (HOUSEKEEPING=off)");
    return;
  }
  const tasks = container.getAll<HousekeepingTask>(HOUSEKEEPING_TASK);
  const { intervalMs } = config.housekeeping;
  const url = config.redisUrl;
  const prefix = config.jobs.queuePrefix;
  const timer = new TimerHousekeeping(url ? tasks.filter((task) => task.perProcess) : tasks, { intervalMs, logger });
  const shared = tasks.filter((task) => !task.perProcess);
  const scheduled = url
    ? new (await import("./bullmq-housekeeping.js")).BullHousekeeping(shared, { url, prefix, intervalMs, logger })
    : null;
  // One resource, announced as the adapters are (`<name>: …`), so its close comes in the reverse order of the starts.
  lifecycle.add("housekeeping", async () => {
    await scheduled?.close();
    await timer.close();
  });
  const how = url ? `BullMQ job schedulers (prefix ${prefix}), ${timer.describe()} on a timer here` : "a timer in this process";
  logger.info(`housekeeping: ${tasks.map((task) => task.name).join(", ")} every ${intervalMs} ms on ${how}`);
  timer.start();
  await scheduled?.start();
}
