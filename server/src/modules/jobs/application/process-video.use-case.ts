import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { JOB_QUEUE, type JobQueue } from "../../../shared/application/job-queue.js";
import { LOGGER, type Logger } from "../../../shared/application/logger.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { isAllowedFor, type Quality } from "../../../shared/domain/quality.js";
import { CREDIT_LEDGER, type CreditLedger } from "../../billing/application/credit-ledger.js";
import { transcodeCost } from "../../billing/domain/credit-rules.js";
import { VideoAccess } from "../../videos/application/video-access.js";
import { VideoProcessing } from "../../videos/application/video-processing.service.js";
import { assertProcessable } from "../../videos/domain/video-processing.js";
import { VideoErrors } from "../../videos/domain/video.errors.js";
import { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { CancelJobUseCase } from "./cancel-job.use-case.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

export interface ProcessVideoInput {
  id: string;
  quality: Quality;
  idempotencyKey?: string | undefined;
}

/**
 * videos.process: charges the cost and creates the job in one transaction, then hands its id to
 * the queue. With an idempotency key the database decides which of two racing requests creates
 * the job; the other returns it (same parameters) or is refused (other parameters), charging nothing.
 * A video holds one active job per quality (a partial unique index): a request for a quality that
 * is queued or running is refused with that job's id, one that is already READY as well.
 */
@injectable()
export class ProcessVideoUseCase {
  constructor(
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(CREDIT_LEDGER) private readonly ledger: CreditLedger,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(VideoProcessing) private readonly videos: VideoProcessing,
    @inject(JOB_QUEUE) private readonly queue: JobQueue,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(CancelJobUseCase) private readonly cancelJob: CancelJobUseCase,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(caller: Caller, input: ProcessVideoInput): Promise<Job> {
    const video = await this.access.owned(caller, input.id);
    assertProcessable(video.status);
    if (!video.probe) throw VideoErrors.invalidState(video.status, "PROCESSING");
    if (!isAllowedFor(input.quality, caller.tier)) throw JobErrors.qualityNotAllowed(input.quality, caller.tier);
    const request = { videoId: video.id, type: "TRANSCODE" as const, params: { quality: input.quality } };
    const key = input.idempotencyKey ?? null;
    if (key) {
      const earlier = await this.jobs.findByIdempotencyKey(caller.userId, key);
      if (earlier) return this.replay(earlier, request);
    }
    await this.refuseIfActive(video.id, input.quality);
    const job = Job.create({
      ...request,
      ownerId: caller.userId,
      creditsCharged: transcodeCost(video.probe.durationSeconds, input.quality),
      idempotencyKey: key,
      now: this.clock.now(),
    });
    const created = await this.unitOfWork.run(async () => {
      // The video row's lock comes first: the job insert takes a key-share lock on it (the foreign
      // key), so locking it FOR UPDATE after the charge deadlocked concurrent calls on one video.
      await this.videos.jobAccepted(video.id, input.quality);
      if (!(await this.jobs.create(job))) return false;
      await this.ledger.charge({ userId: caller.userId, amount: job.toState().creditsCharged, jobId: job.id });
      return true;
    });
    if (!created) {
      const winner = key ? await this.jobs.findByIdempotencyKey(caller.userId, key) : null;
      if (winner) return this.replay(winner, request);
      await this.refuseIfActive(video.id, input.quality);
      // The job that blocked the insert ended before we could name it: the caller may simply retry.
      throw ConcurrencyErrors.concurrentModification("video");
    }
    try {
      await this.queue.enqueue(job.id);
    } catch (error) {
      // Nothing would ever run it: end it (refunded) and tell the caller to try again later.
      this.logger.error("could not enqueue a job; cancelled and refunded it", { jobId: job.id, error });
      await this.cancelJob.cancel(job.id);
      throw new DomainError(
        ErrorCodes.DEPENDENCY_UNAVAILABLE,
        "UNAVAILABLE",
        "The job queue is unavailable; the credits were refunded",
      );
    }
    return job;
  }

  private async refuseIfActive(videoId: string, quality: Quality): Promise<void> {
    const active = await this.jobs.findActive(videoId, quality);
    if (active) throw JobErrors.alreadyActive(quality, active.id);
  }

  private replay(earlier: Job, request: Parameters<Job["isSameRequest"]>[0]): Job {
    if (!earlier.isSameRequest(request)) throw JobErrors.idempotencyKeyReused();
    return earlier;
  }
}
