import type { Quality } from "../../../shared/domain/quality.js";
import type { JobSpec } from "./job-params.js";
import type { Job, JobFields } from "./job.entity.js";

/** What a job keeps to itself: whose it is (events carry the owner beside the data) and its write counter. */
type Internal = "ownerId" | "revision";
type Timestamps = "createdAt" | "updatedAt" | "startedAt" | "finishedAt";

/** Dates travel as ISO strings: events and responses are JSON. */
type AsIsoStrings<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/**
 * A job as `jobs.get` shows it: what its events carry. Derived from the entity's fields, so a field
 * added there is either shown here or named in `Internal`. A type, so it fits EventData.
 */
export type JobSnapshot = JobSpec & { quality: Quality } & AsIsoStrings<Omit<JobFields, Internal>>;

export function jobSnapshot(job: Job): JobSnapshot {
  const state = job.toState();
  const { type: _type, params: _params, ownerId: _ownerId, revision: _revision, ...shown } = state;
  const dates: AsIsoStrings<Pick<JobFields, Timestamps>> = {
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
    startedAt: state.startedAt?.toISOString() ?? null,
    finishedAt: state.finishedAt?.toISOString() ?? null,
  };
  return { ...shown, ...dates, quality: job.quality, ...job.spec };
}
