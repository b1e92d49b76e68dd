import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { Job } from "../domain/job.entity.js";
import { JOB_REPOSITORY, type JobListFilter, type JobRepository } from "./job.repository.js";

/** The caller's own jobs, newest first, like videos.list. */
@injectable()
export class ListJobsQuery {
  constructor(@inject(JOB_REPOSITORY) private readonly jobs: JobRepository) {}

  execute(
    caller: Caller,
    filter: Omit<JobListFilter, "ownerId">,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<Job>> {
    return this.jobs.list({ ownerId: caller.userId, ...filter }, page);
  }
}
