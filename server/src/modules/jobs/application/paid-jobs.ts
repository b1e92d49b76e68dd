import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { JOB_QUEUE, type JobQueue } from "../../../shared/application/job-queue.js";
import { LOGGER, type Logger } from "../../../shared/application/logger.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { isAllowedFor, type Quality } from "../../../shared/domain/quality.js";
import { CREDIT_LEDGER, type CreditLedger } from "../../billing/application/index.js";
import { VideoProcessing, type JobInput } from "../../videos/application/index.js";
import { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import type { JobSpec } from "../domain/job-params.js";
import { CancelJobUseCase } from "./cancel-job.use-case.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** Where the job's video comes from: one that exists, or one made with the job (generation). */
export type PaidJobTarget = { videoId: string } | { createVideo: () => Promise<string> };

export interface PaidJobRequest {
  target: PaidJobTarget;
  spec: JobSpec;
  credits: number;
  idempotencyKey: string | null;
}

/** Thrown inside the transaction to roll back what it wrote when the job row was not inserted. */
class NotInserted extends Error {}

const INPUT: Record<JobSpec["type"], JobInput> = { TRANSCODE: "source", GENERATE: "none" };

/**
 * "Start a paid job", for every job type: the tier gate, the idempotency claim, then in one
 * transaction the video's status, the job row and the charge, then the queue — and a refund when
 * the queue refuses. With an idempotency key the database decides which of two racing requests
 * creates the job; the other returns it (same parameters) or is refused (other parameters),
 * charging nothing. A video holds one active job per quality (a partial unique index): a request
 * for a quality queued or running there is refused with that job's id, one already READY as well.
 * `retry` is the same path for the next run of a FAILED job.
 */
@injectable()
export class PaidJobs {
  constructor(
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(CREDIT_LEDGER) private readonly ledger: CreditLedger,
    @inject(VideoProcessing) private readonly videos: VideoProcessing,
    @inject(JOB_QUEUE) private readonly queue: JobQueue,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(CancelJobUseCase) private readonly cancelJob: CancelJobUseCase,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(caller: Caller, request: PaidJobRequest): Promise<Job> {
    const { spec } = request;
    this.assertTier(caller, spec.params.quality);
    const existingVideo = "videoId" in request.target ? request.target.videoId : null;
    const sameAs = { videoId: existingVideo, spec };
    const key = request.idempotencyKey;
    if (key) {
      const earlier = await this.jobs.findByIdempotencyKey(caller.userId, key);
      if (earlier) return replay(earlier, sameAs);
    }
    if (existingVideo) {
      const active = await this.jobs.findActive(existingVideo, spec.params.quality);
      // The active job may be this very key's, committed by a request racing this one since we looked.
      if (active) return this.answerActive(caller, key, sameAs, active);
    }
    const target = request.target;
    let job: Job | undefined;
    try {
      job = await this.unitOfWork.run(async () => {
        // The video row's lock comes first: the job insert takes a key-share lock on it (the foreign
        // key), so locking it FOR UPDATE after the charge deadlocked concurrent calls on one video.
        const videoId = "videoId" in target ? target.videoId : await target.createVideo();
        await this.videos.jobAccepted(videoId, { quality: spec.params.quality, input: INPUT[spec.type] });
        const created = Job.create({
          videoId,
          ownerId: caller.userId,
          spec,
          creditsCharged: request.credits,
          idempotencyKey: key,
          now: this.clock.now(),
        });
        if (!(await this.jobs.create(created))) throw new NotInserted();
        await this.ledger.charge({ userId: caller.userId, amount: request.credits, jobId: created.id, run: created.run });
        return created;
      });
    } catch (error) {
      if (!(error instanceof NotInserted)) throw error;
      const winner = key ? await this.jobs.findByIdempotencyKey(caller.userId, key) : null;
      if (winner) return replay(winner, sameAs);
      if (existingVideo) await this.refuseIfActive(existingVideo, spec.params.quality);
      // The job that blocked the insert ended before we could name it: the caller may simply retry.
      throw ConcurrencyErrors.concurrentModification("video");
    }
    await this.enqueue(job);
    return job;
  }

  /** jobs.retry: the next run of a FAILED job, charged what its runs cost. */
  async retry(caller: Caller, job: Job): Promise<Job> {
    if (job.status !== "FAILED") throw JobErrors.invalidState(job.status, "QUEUED");
    this.assertTier(caller, job.quality);
    await this.refuseIfActive(job.videoId, job.quality);
    const credits = job.creditsCharged;
    let saved: boolean;
    try {
      saved = await this.unitOfWork.run(async () => {
        await this.videos.jobAccepted(job.videoId, { quality: job.quality, input: INPUT[job.type] });
        job.retry(credits, this.clock.now());
        if (!(await this.jobs.save(job))) throw new NotInserted();
        await this.ledger.charge({ userId: job.ownerId, amount: credits, jobId: job.id, run: job.run });
        return true;
      });
    } catch (error) {
      if (!(error instanceof NotInserted)) throw error;
      saved = false;
    }
    if (!saved) {
      // Another retry of this job, or another job of its quality, came first.
      await this.refuseIfActive(job.videoId, job.quality);
      throw ConcurrencyErrors.concurrentModification("job");
    }
    await this.enqueue(job, { again: true });
    return job;
  }

  private assertTier(caller: Caller, quality: Quality): void {
    if (!isAllowedFor(quality, caller.tier)) throw JobErrors.qualityNotAllowed(quality, caller.tier);
  }

  private async enqueue(job: Job, options: { again?: boolean } = {}): Promise<void> {
    try {
      await (options.again ? this.queue.enqueueAgain(job.id) : this.queue.enqueue(job.id));
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
  }

  /** A replay when the key's job exists by now, else JOB_ALREADY_ACTIVE naming the active job. */
  private async answerActive(
    caller: Caller,
    key: string | null,
    sameAs: Parameters<Job["isSameRequest"]>[0],
    active: Job,
  ): Promise<Job> {
    const winner = key ? await this.jobs.findByIdempotencyKey(caller.userId, key) : null;
    if (winner) return replay(winner, sameAs);
    throw JobErrors.alreadyActive(active.quality, active.id);
  }

  private async refuseIfActive(videoId: string, quality: Quality): Promise<void> {
    const active = await this.jobs.findActive(videoId, quality);
    if (active) throw JobErrors.alreadyActive(quality, active.id);
  }
}

function replay(earlier: Job, request: Parameters<Job["isSameRequest"]>[0]): Job {
  if (!earlier.isSameRequest(request)) throw JobErrors.idempotencyKeyReused();
  return earlier;
}
