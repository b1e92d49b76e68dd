import type { Quality } from "../../../shared/domain/quality.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { Job } from "../domain/job.entity.js";
import type { JobStatus, JobType } from "../domain/job-status.js";

export interface JobListFilter {
  ownerId: string;
  videoId?: string | undefined;
  status?: JobStatus | undefined;
  type?: JobType | undefined;
}

export interface JobRepository {
  /**
   * Inserts the job unless the owner already has one with its idempotency key, or the video already
   * has an active job at its quality (the database decides, so two racing requests cannot both
   * insert); returns whether it inserted.
   */
  create(job: Job): Promise<boolean>;
  findById(id: string): Promise<Job | null>;
  findByIdempotencyKey(ownerId: string, key: string): Promise<Job | null>;
  list(filter: JobListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<Job>>;
  /** The QUEUED or RUNNING job of the video at the quality, if any (there is at most one). */
  findActive(videoId: string, quality: Quality): Promise<Job | null>;
  listActiveByVideo(videoId: string): Promise<Job[]>;
  /** Writes the job only if the row is still at `job.expectedRevision`; false when another write came first. */
  save(job: Job): Promise<boolean>;
}

export const JOB_REPOSITORY = Symbol.for("JobRepository");
