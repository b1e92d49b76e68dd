export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_TYPES = ["TRANSCODE", "GENERATE"] as const;
export type JobType = (typeof JOB_TYPES)[number];

/**
 * docs/product-contract.md §1.4. RUNNING → QUEUED is a retry after a transient failure, or a run whose worker died
 * being handed out again. FAILED → QUEUED is only `jobs.retry` asked by the owner (a new, paid run);
 * no run of its own leaves an ended state.
 */
const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  QUEUED: ["RUNNING", "CANCELLED"],
  RUNNING: ["RUNNING", "QUEUED", "SUCCEEDED", "FAILED", "CANCELLED"],
  SUCCEEDED: [],
  FAILED: ["QUEUED"],
  CANCELLED: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED[from].includes(to);
}

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["QUEUED", "RUNNING"];

const TERMINAL: readonly JobStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.includes(status);
}
