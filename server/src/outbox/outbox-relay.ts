import type { Database } from "../database/database.js";
import type { Clock } from "../shared/application/clock.js";
import type { DomainEventHandler } from "../shared/application/event-outbox.js";
import type { Logger } from "../shared/application/logger.js";
import type { DomainEvent, EventData } from "../shared/domain/domain-event.js";
import { PollingLoop } from "./polling-loop.js";

export interface OutboxRelayOptions {
  pollMs?: number;
  /** How long one relay may hold an event before another takes it over (its process died). */
  claimMs?: number;
  batchSize?: number;
  /** An event whose handlers keep failing is given up after this many hand-overs (and logged). */
  maxHandovers?: number;
}

interface ClaimedRow {
  id: string;
  type: string;
  aggregate_id: string;
  owner_id: string;
  data: EventData;
  created_at: Date;
  handle_count: number;
}

/**
 * Hands each event of the outbox to the handlers of its type, then marks it handled. Any number of
 * processes may relay at once: an event is claimed (SKIP LOCKED, with an expiry) before it is
 * handed over, and a relay that dies holding one only delays it until the claim runs out. So an
 * event is handed over at least once and perhaps twice; handlers recognise it by its id.
 */
export class OutboxRelay {
  private readonly loop: PollingLoop;
  private readonly claimMs: number;
  private readonly batchSize: number;
  private readonly maxHandovers: number;

  constructor(
    private readonly db: Database,
    private readonly handlers: readonly DomainEventHandler[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.claimMs = options.claimMs ?? 30_000;
    this.batchSize = options.batchSize ?? 50;
    this.maxHandovers = options.maxHandovers ?? 20;
    this.loop = new PollingLoop({ name: "outbox relay", pollMs: options.pollMs ?? 250, logger, step: () => this.relayBatch() });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  /** One batch; true when the batch was full (there may be more). Public for tests. */
  async relayBatch(): Promise<boolean> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.claimMs);
    const rows = await this.db.client.$queryRaw<ClaimedRow[]>`
      UPDATE outbox_events SET claimed_until = ${until}::timestamptz, handle_count = handle_count + 1
      WHERE id IN (
        SELECT id FROM outbox_events
        WHERE handled_at IS NULL AND (claimed_until IS NULL OR claimed_until < ${now}::timestamptz)
        ORDER BY created_at LIMIT ${this.batchSize}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING id, type, aggregate_id, owner_id, data, created_at, handle_count`;
    const handled = await this.handOver(rows);
    if (handled.length > 0) {
      await this.db.client.outboxEvent.updateMany({
        where: { id: { in: handled } },
        data: { handledAt: this.clock.now(), claimedUntil: null },
      });
    }
    return rows.length === this.batchSize;
  }

  /**
   * Each handler gets the batch's events of its types: all at once when it can take them so, else
   * one by one side by side (deliveries are not ordered anyway). Returns the ids done with: every
   * handler succeeded, or the event was given up after `maxHandovers`.
   */
  private async handOver(rows: readonly ClaimedRow[]): Promise<string[]> {
    const events = rows.map(toEvent);
    const failed = new Map<string, string[]>();
    const fail = (event: DomainEvent, handler: DomainEventHandler, error: unknown) => {
      failed.set(event.id, [...(failed.get(event.id) ?? []), handler.name]);
      this.logger.warn("an event handler failed; the event is handed over again later", {
        eventId: event.id,
        handler: handler.name,
        error,
      });
    };
    await Promise.all(
      this.handlers.map(async (handler) => {
        const mine = events.filter((event) => handler.types.includes(event.type));
        if (mine.length === 0) return;
        if (handler.handleMany) {
          await handler.handleMany(mine).catch((error: unknown) => mine.forEach((event) => fail(event, handler, error)));
          return;
        }
        await Promise.all(mine.map((event) => handler.handle(event).catch((error: unknown) => fail(event, handler, error))));
      }),
    );
    return rows.flatMap((row) => {
      const handlers = failed.get(row.id);
      if (!handlers) return [row.id];
      if (row.handle_count < this.maxHandovers) return [];
      this.logger.error("an event was given up after repeated handler failures", { eventId: row.id, handlers });
      return [row.id];
    });
  }
}

function toEvent(row: ClaimedRow): DomainEvent {
  return {
    id: row.id,
    type: row.type as DomainEvent["type"],
    aggregateId: row.aggregate_id,
    ownerId: row.owner_id,
    occurredAt: row.created_at,
    data: row.data,
  };
}
