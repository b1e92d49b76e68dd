import type { Database } from "../database/database.js";
import type { Clock } from "../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../shared/application/housekeeping.js";

/** How long a handled event (and the deliveries and attempt log hanging off it) is kept. */
export const OUTBOX_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Housekeeping: events handled more than 30 days ago go, with their deliveries and attempt log
 * (cascade), unless a delivery of theirs is still PENDING (a redelivery someone asked for).
 */
export class PruneOutboxTask implements HousekeepingTask {
  readonly name = "outbox-events";

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    const before = new Date(this.clock.now().getTime() - OUTBOX_RETENTION_MS);
    const removed = await this.db.client.$executeRaw`
      DELETE FROM outbox_events WHERE id IN (
        SELECT e.id FROM outbox_events e
        WHERE e.handled_at < ${before}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'PENDING')
        LIMIT ${HOUSEKEEPING_BATCH * 10}::int)`;
    return { removed };
  }
}
