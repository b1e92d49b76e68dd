import { inject, injectable } from "inversify";
import type { VideoJobs } from "../../videos/application/index.js";
import { isTerminal } from "../domain/job-status.js";
import { CancelJobUseCase } from "./cancel-job.use-case.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** videos.delete's side of processing: every queued or running job of the video ends, refunded. */
@injectable()
export class CancelVideoJobs implements VideoJobs {
  constructor(
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(CancelJobUseCase) private readonly cancelJob: CancelJobUseCase,
  ) {}

  async cancelAllOf(videoId: string): Promise<void> {
    const active = await this.jobs.listActiveByVideo(videoId);
    await Promise.all(active.map((job) => this.cancelUnlessEnded(job.id)));
  }

  /** A job that ended on its own between the listing and the cancel has nothing left to stop. */
  private async cancelUnlessEnded(id: string): Promise<void> {
    try {
      await this.cancelJob.cancel(id);
    } catch (error) {
      const current = await this.jobs.findById(id);
      if (current && isTerminal(current.status)) return;
      throw error;
    }
  }
}
