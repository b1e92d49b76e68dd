export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_TYPES = ["TRANSCODE", "GENERATE"] as const;
export type JobType = (typeof JOB_TYPES)[number];

/**
 * docs/product-contract.md §1.4. RUNNING → QUEUED is a retry after a transient failure, or a run whose worker died
 * being handed out again; the terminal states never change.
 */
const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  QUEUED: ["RUNNING", "CANCELLED"],
  RUNNING: ["RUNNING", "QUEUED", "SUCCEEDED", "FAILED", "CANCELLED"],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED[from].includes(to);
}

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["QUEUED", "RUNNING"];

export function isTerminal(status: JobStatus): boolean {
  return ALLOWED[status].length === 0;
}
