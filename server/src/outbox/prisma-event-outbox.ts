import type { Database } from "../database/database.js";
import { Prisma } from "../generated/prisma/client.js";
import type { EventOutbox } from "../shared/application/event-outbox.js";
import type { DomainEvent } from "../shared/domain/domain-event.js";

/**
 * The outbox table. Appending inside a unit of work joins its transaction; once it commits, the
 * relay of this process is woken, so an event does not wait for the next poll where it was made.
 */
export class PrismaEventOutbox implements EventOutbox {
  private wake: () => void = () => {};

  constructor(private readonly db: Database) {}

  /** The relay of this process, told after each commit that wrote events. */
  onAppended(wake: () => void): void {
    this.wake = wake;
  }

  async append(events: readonly DomainEvent[], options: { handled?: boolean } = {}): Promise<void> {
    if (events.length === 0) return;
    // One raw INSERT rather than createMany: the same row, for about half the API's CPU per append
    // (docs/benchmarks.md, outbox cost), paid by every transaction that records an event.
    const rows = events.map(
      (event) =>
        // EventData is plain JSON by construction (snapshots of DTOs), stored as jsonb.
        Prisma.sql`(${event.id}, ${event.type}, ${event.aggregateId}, ${event.ownerId}::uuid,
          ${JSON.stringify(event.data)}::jsonb, ${event.occurredAt}::timestamptz,
          ${options.handled ? event.occurredAt : null}::timestamptz)`,
    );
    await this.db.client.$executeRaw`
      INSERT INTO outbox_events (id, type, aggregate_id, owner_id, data, created_at, handled_at)
      VALUES ${Prisma.join(rows)}`;
    if (options.handled) return;
    await this.db.afterCommit(async () => this.wake());
  }
}
