import type { DomainEvent, EventType, TEST_EVENT_TYPE } from "../domain/domain-event.js";

/**
 * Where repositories write the events their entities recorded. Inside a unit of work the events
 * join its transaction, so they exist exactly when the change does; the relay hands them on later.
 */
export interface EventOutbox {
  /** `handled`: stored for the record (a delivery reads its body from there) but never relayed. */
  append(events: readonly DomainEvent[], options?: { handled?: boolean }): Promise<void>;
}

export const EVENT_OUTBOX = Symbol.for("EventOutbox");

/**
 * A context reacting to events (multi-bound). The relay may hand one event over more than once (a
 * process died before marking it handled): `handle` must be idempotent by `event.id`. A handler
 * that throws has the event handed over again later.
 */
export interface DomainEventHandler {
  readonly name: string;
  readonly types: ReadonlyArray<EventType | typeof TEST_EVENT_TYPE>;
  handle(event: DomainEvent): Promise<void>;
  /** Several events at once (the relay's batch), when the handler can do better than one by one. */
  handleMany?(events: readonly DomainEvent[]): Promise<void>;
}

export const DOMAIN_EVENT_HANDLER = Symbol.for("DomainEventHandler");
