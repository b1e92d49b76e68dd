import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import {
  GENERATION_AVAILABILITY,
  generationUnavailable,
  type GenerationAvailability,
} from "../../../shared/application/generation-provider.js";
import type { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import { JobAccess } from "./job-access.js";
import { PaidJobs } from "./paid-jobs.js";

/** jobs.retry: the owner queues a FAILED job again, charged again; admins may look but not pay for others. */
@injectable()
export class RetryJobUseCase {
  constructor(
    @inject(JobAccess) private readonly access: JobAccess,
    @inject(PaidJobs) private readonly paidJobs: PaidJobs,
    @inject(GENERATION_AVAILABILITY) private readonly availability: GenerationAvailability,
  ) {}

  async execute(caller: Caller, id: string): Promise<Job> {
    const job = await this.access.visible(caller, id);
    if (!job.isOwnedBy(caller.userId)) throw JobErrors.notFound();
    if (job.type === "GENERATE" && job.status === "FAILED" && !(await this.availability.isAvailable()))
      throw generationUnavailable();
    return this.paidJobs.retry(caller, job);
  }
}
