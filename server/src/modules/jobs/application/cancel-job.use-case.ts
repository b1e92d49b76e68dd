import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import type { Job } from "../domain/job.entity.js";
import { JobEnd } from "./job-end.js";
import { JobAccess } from "./job-access.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** A running job writes progress often; a cancel that loses to one of those writes tries again. */
const ATTEMPTS = 5;

/**
 * jobs.cancel: CANCELLED and refunded in one transaction. The change is published on the job's
 * channel, where the process running it (any worker) stops ffmpeg and removes partial outputs.
 * Cancelling a cancelled job returns it; a job that already ended otherwise cannot be cancelled.
 */
@injectable()
export class CancelJobUseCase {
  constructor(
    @inject(JobAccess) private readonly access: JobAccess,
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(JobEnd) private readonly end: JobEnd,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, id: string): Promise<Job> {
    await this.access.visible(caller, id);
    return this.cancel(id);
  }

  /** Also for videos.delete, which has already checked who may act. */
  async cancel(id: string): Promise<Job> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const job = await this.jobs.findById(id);
      if (!job) throw new Error(`job ${id} vanished`);
      if (job.status === "CANCELLED") return job;
      job.cancel(this.clock.now());
      if (await this.end.save(job)) return job;
    }
    throw ConcurrencyErrors.concurrentModification("job");
  }
}
