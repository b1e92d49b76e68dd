import { inject, injectable } from "inversify";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { CREDIT_LEDGER, type CreditLedger } from "../../billing/application/index.js";
import { VideoProcessing } from "../../videos/application/index.js";
import type { Job } from "../domain/job.entity.js";
import { JobEvents } from "./job-events.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/**
 * Writes a job's change together with what follows from it, in one transaction: the refund of a
 * failed or cancelled job and the video's status. The write is conditional on the revision the
 * job was loaded at, so of two racing writers (a cancel and the worker finishing) exactly one
 * wins; the loser gets false and must reload.
 */
@injectable()
export class JobEnd {
  constructor(
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(CREDIT_LEDGER) private readonly ledger: CreditLedger,
    @inject(VideoProcessing) private readonly videos: VideoProcessing,
    @inject(JobEvents) private readonly events: JobEvents,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
  ) {}

  /** `alsoCommit` runs in the same transaction (a processor's outputs on success). */
  async save(job: Job, alsoCommit?: () => Promise<void>): Promise<boolean> {
    const saved = await this.unitOfWork.run(async () => {
      if (!(await this.jobs.save(job))) return false;
      if (job.isTerminal) {
        await alsoCommit?.();
        const othersActive = (await this.jobs.listActiveByVideo(job.videoId)).some((other) => other.id !== job.id);
        await this.videos.jobEnded(job.videoId, endOf(job), othersActive);
      }
      // After the video's lock, as videos.process takes them (video, then credit account): the
      // other order deadlocked a cancel against a process call on the same video.
      if (job.owesRefund)
        await this.ledger.refund({ jobId: job.id, run: job.run, reason: job.status === "CANCELLED" ? "cancelled" : "failed" });
      return true;
    });
    if (saved) await this.events.published(job);
    return saved;
  }
}

function endOf(job: Job): "SUCCEEDED" | "FAILED" | "CANCELLED" {
  if (job.status === "SUCCEEDED" || job.status === "FAILED" || job.status === "CANCELLED") return job.status;
  throw new Error(`job ${job.id} has not ended`);
}
