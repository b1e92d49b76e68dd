import type { Database } from "../database/database.js";
import type { Logger } from "../shared/application/logger.js";
import { QUEUE_DEPTH_STATES, type QueueDepth, type QueueDepthState } from "./prom-metrics.js";

/**
 * Counts the job rows waiting or running when Prometheus scrapes: one grouped count over the
 * (status, run_after) index, the two active states only (ended jobs are counted by
 * reelbase_jobs_finished_total, not by scanning a table that only grows).
 */
export function queueDepthFrom(database: Database, logger: Logger): QueueDepth {
  return async () => {
    try {
      const groups = await database.prisma.job.groupBy({
        by: ["status"],
        where: { status: { in: [...QUEUE_DEPTH_STATES] } },
        _count: { _all: true },
      });
      const counts: Partial<Record<QueueDepthState, number>> = {};
      for (const group of groups) counts[group.status as QueueDepthState] = group._count._all;
      return counts;
    } catch (error) {
      logger.warn("metrics: could not count queued jobs", { error });
      return undefined;
    }
  };
}
