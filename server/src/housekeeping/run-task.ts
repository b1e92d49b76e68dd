import type { HousekeepingReport, HousekeepingTask } from "../shared/application/housekeeping.js";
import type { Logger } from "../shared/application/logger.js";

/** Runs one task; a run that did something is logged in one line, a failed one as a warning (and rethrown). */
export async function runHousekeepingTask(task: HousekeepingTask, logger: Logger): Promise<HousekeepingReport> {
  const started = performance.now();
  let report: HousekeepingReport;
  try {
    report = await task.run();
  } catch (error) {
    logger.warn(`housekeeping ${task.name} failed`, { task: task.name, error });
    throw error;
  }
  if (Object.values(report).some((count) => count > 0)) {
    const summary = Object.entries(report)
      .map(([what, count]) => `${what} ${count}`)
      .join(", ");
    logger.info(`housekeeping ${task.name}: ${summary}`, {
      task: task.name,
      ...report,
      durationMs: Math.round(performance.now() - started),
    });
  }
  return report;
}
