import { randomBytes } from "node:crypto";

/** What a webhook endpoint can subscribe to (docs/webhooks.md). */
export const EVENT_TYPES = [
  "video.uploaded",
  "video.ready",
  "video.failed",
  "video.deleted",
  "job.succeeded",
  "job.failed",
  "job.cancelled",
  "credits.low",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Sent to one endpoint on request, never recorded by a change; not subscribable. */
export const TEST_EVENT_TYPE = "webhook.test";

/** The snapshot of the resource an event is about: a plain JSON object (dates as ISO strings). */
export type EventData = Readonly<Record<string, unknown>>;

/** Something that happened to an aggregate, recorded by the entity that changed. */
export interface DomainEvent {
  /** `evt_…`, stable through every hand-over and retry: receivers drop duplicates by it. */
  id: string;
  type: EventType | typeof TEST_EVENT_TYPE;
  aggregateId: string;
  /** Whose endpoints hear about it. */
  ownerId: string;
  occurredAt: Date;
  /** The resource as its `get` procedure returns it, taken when the change was made. */
  data: EventData;
}

export function newEventId(): string {
  return `evt_${randomBytes(16).toString("base64url")}`;
}

/**
 * What an entity has recorded since it was loaded, until its repository writes the events (in the
 * transaction of the change) and takes them.
 */
export class RecordedEvents {
  private pending: DomainEvent[] = [];

  /** `about`: the aggregate (its id and owner) the event is about; `data`: its snapshot after the change. */
  record(type: EventType, about: { id: string; ownerId: string }, occurredAt: Date, data: EventData): void {
    this.pending.push({ id: newEventId(), type, aggregateId: about.id, ownerId: about.ownerId, occurredAt, data });
  }

  get any(): boolean {
    return this.pending.length > 0;
  }

  /** Hands the events over once; a second call returns none. */
  take(): DomainEvent[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
