/** One delivery of a job to this process. `signal` aborts when the process shuts down. */
export interface JobDelivery {
  jobId: string;
  signal: AbortSignal;
}

/**
 * "done": the job row reached a state the queue need not act on (ended, or owned by someone else).
 * "retry": a transient failure with attempts left; the row is QUEUED again and the queue delivers
 * it again after a backoff.
 */
export type JobRunOutcome = "done" | "retry";

export type JobRunner = (delivery: JobDelivery) => Promise<JobRunOutcome>;

/**
 * Carries job ids only: the job row is the source of truth. Delivery is at least once, so the
 * runner must be idempotent (it claims the row with a conditional update before working).
 */
export interface JobQueue {
  /** After the job row is committed. Enqueueing an id twice delivers it once. */
  enqueue(jobId: string): Promise<void>;
  /** A job delivered before and queued again (jobs.retry): whatever the queue kept of its last delivery gives way. */
  enqueueAgain(jobId: string): Promise<void>;
  /** Starts delivering jobs to `run` in this process (the API for the embedded queue, workers for BullMQ). */
  startConsuming(run: JobRunner): Promise<void>;
}

export const JOB_QUEUE = Symbol.for("JobQueue");

/** The wait before the second attempt; each later one waits twice as long (both queues). */
export const RETRY_BASE_MS = 2000;

/** Exponential backoff between attempts of a job that failed transiently. */
export function retryDelayMs(attempt: number, baseMs = RETRY_BASE_MS): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}
