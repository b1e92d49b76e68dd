import type { Container } from "inversify";
import { RunJob } from "./modules/jobs/application/run-job.js";
import { removeOrphanedWorkDirs } from "./modules/jobs/infra/processors/work-dirs.js";
import { JOB_QUEUE, type JobQueue } from "./shared/application/job-queue.js";
import { LOGGER, type Logger } from "./shared/application/logger.js";

/** Starts running queued jobs in this process: the worker always, the API with the embedded queue. */
export async function startJobConsumer(container: Container): Promise<void> {
  const logger = container.get<Logger>(LOGGER);
  // Scratch folders of a process that was killed mid-job (its `finally` never ran); its jobs run again elsewhere.
  await removeOrphanedWorkDirs().then(
    (removed) =>
      removed.length > 0 && logger.info(`removed ${removed.length} scratch folder(s) of stopped processes`, { removed }),
    (error: unknown) => logger.warn("could not look for scratch folders of stopped processes", { error }),
  );
  const runJob = container.get(RunJob);
  await container.get<JobQueue>(JOB_QUEUE).startConsuming((delivery) => runJob.execute(delivery));
}
