import type { Container } from "inversify";
import { RunJob } from "./modules/jobs/application/run-job.js";
import { JOB_QUEUE, type JobQueue } from "./shared/application/job-queue.js";

/** Starts running queued jobs in this process: the worker always, the API with the embedded queue. */
export async function startJobConsumer(container: Container): Promise<void> {
  const runJob = container.get(RunJob);
  await container.get<JobQueue>(JOB_QUEUE).startConsuming((delivery) => runJob.execute(delivery));
}
