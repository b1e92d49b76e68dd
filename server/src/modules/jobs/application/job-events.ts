import { inject, injectable } from "inversify";
import { EVENT_BUS, type EventBus } from "../../../shared/application/event-bus.js";
import type { Job } from "../domain/job.entity.js";
import type { JobStatus } from "../domain/job-status.js";

/** What a progress watcher receives: the job's state after one write, ordered by `revision`. */
export type JobEvent = {
  jobId: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  revision: number;
};

export function jobChannel(jobId: string): string {
  return `job:${jobId}`;
}

export function toJobEvent(job: Job): JobEvent {
  const state = job.toState();
  return { jobId: state.id, status: state.status, progress: state.progress, error: state.lastError, revision: state.revision };
}

/**
 * Publishes a job's state after each write that a watcher (or the worker running the job, for a
 * cancel) should see. Best effort: the bus drops during an outage, and watchers re-read the row.
 */
@injectable()
export class JobEvents {
  constructor(@inject(EVENT_BUS) private readonly bus: EventBus) {}

  published(job: Job): Promise<void> {
    return this.bus.publish(jobChannel(job.id), toJobEvent(job));
  }
}
