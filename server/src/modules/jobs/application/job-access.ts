import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** The owner and admins see a job; anyone else gets NOT_FOUND, as for a job that does not exist. */
@injectable()
export class JobAccess {
  constructor(@inject(JOB_REPOSITORY) private readonly jobs: JobRepository) {}

  async visible(caller: Caller, id: string): Promise<Job> {
    const job = await this.jobs.findById(id);
    if (!job || (!job.isOwnedBy(caller.userId) && caller.role !== "ADMIN")) throw JobErrors.notFound();
    return job;
  }
}
