/** admin.stats reduced to the few numbers the overview shows. Imports nothing, for the unit tests. */

export type JobCounts = Record<string, Record<string, number>>;

/** All jobs in the range, and how many of them are in each status, summed over the job types. */
export function jobTotals(jobs: JobCounts): { total: number; byStatus: Record<string, number> } {
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const statuses of Object.values(jobs)) {
    for (const [status, count] of Object.entries(statuses)) {
      byStatus[status] = (byStatus[status] ?? 0) + count;
      total += count;
    }
  }
  return { total, byStatus };
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Binary units, one decimal from KiB up: storage is billed and reported that way by the server's docs. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
