import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { DomainEventHandler } from "../../../shared/application/event-outbox.js";
import { EVENT_TYPES, type DomainEvent } from "../../../shared/domain/domain-event.js";
import { DeliveryWake } from "./delivery-wake.js";
import { WEBHOOK_DELIVERY_REPOSITORY, type WebhookDeliveryRepository } from "./webhook-delivery.repository.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";

/**
 * Every event becomes one delivery per ACTIVE endpoint of its owner that subscribes to its type.
 * Handed the same event again, it creates nothing new (one delivery per endpoint and event).
 */
@injectable()
export class WebhookFanoutHandler implements DomainEventHandler {
  readonly name = "webhooks";
  readonly types = EVENT_TYPES;

  constructor(
    @inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository,
    @inject(WEBHOOK_DELIVERY_REPOSITORY) private readonly deliveries: WebhookDeliveryRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(DeliveryWake) private readonly wake: DeliveryWake,
  ) {}

  handle(event: DomainEvent): Promise<void> {
    return this.handleMany([event]);
  }

  /** One subscriber lookup per owner and type in the batch, one insert for all its deliveries. */
  async handleMany(events: readonly DomainEvent[]): Promise<void> {
    const groups = new Map<string, DomainEvent[]>();
    for (const event of events) {
      const key = `${event.ownerId} ${event.type}`;
      groups.set(key, [...(groups.get(key) ?? []), event]);
    }
    const pairs: { eventId: string; eventType: string; endpointId: string }[] = [];
    for (const group of groups.values()) {
      const [first] = group;
      if (!first) continue;
      const subscribers = await this.endpoints.subscribers(first.ownerId, first.type);
      for (const event of group) {
        for (const endpoint of subscribers) pairs.push({ eventId: event.id, eventType: event.type, endpointId: endpoint.id });
      }
    }
    if (pairs.length === 0) return;
    await this.deliveries.createMany(pairs, this.clock.now());
    this.wake.now();
  }
}
