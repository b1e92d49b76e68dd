import type { Job } from "../domain/job.entity.js";
import type { JobType } from "../domain/job-status.js";

/** What a processor made, not yet visible: recorded with the job's success, or thrown away. */
export interface ProcessorOutput {
  /** Runs inside the unit of work that marks the job SUCCEEDED. */
  commit(): Promise<void>;
  /** The job did not succeed after all (cancelled meanwhile): remove what was stored. */
  discard(): Promise<void>;
}

export interface ProcessorContext {
  /** Aborts on cancel and on shutdown: stop promptly and leave nothing behind. */
  signal: AbortSignal;
  /** 0–100; called as often as the processor likes, the runner limits what it writes. */
  onProgress(percent: number): void;
}

/**
 * One kind of job's work (TRANSCODE now, GENERATE next). Processors register under
 * JOB_PROCESSOR; the runner picks one by type, so a new kind never touches the queue.
 * A DomainError with `details.permanent === true` fails the job at once; any other error is
 * retried while attempts remain.
 */
export interface JobProcessor {
  readonly type: JobType;
  run(job: Job, context: ProcessorContext): Promise<ProcessorOutput>;
}

export const JOB_PROCESSOR = Symbol.for("JobProcessor");
