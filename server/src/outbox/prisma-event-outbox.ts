import type { Database } from "../database/database.js";
import type { Prisma } from "../generated/prisma/client.js";
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
    await this.db.client.outboxEvent.createMany({
      data: events.map((event) => ({
        id: event.id,
        type: event.type,
        aggregateId: event.aggregateId,
        ownerId: event.ownerId,
        // EventData is plain JSON by construction (snapshots of DTOs), which is what Prisma stores.
        data: event.data as Prisma.InputJsonObject,
        createdAt: event.occurredAt,
        handledAt: options.handled ? event.occurredAt : null,
      })),
    });
    if (options.handled) return;
    await this.db.afterCommit(async () => this.wake());
  }
}
