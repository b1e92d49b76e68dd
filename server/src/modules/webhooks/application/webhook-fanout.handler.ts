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

  async handle(event: DomainEvent): Promise<void> {
    const subscribers = await this.endpoints.subscribers(event.ownerId, event.type);
    if (subscribers.length === 0) return;
    const created = await this.deliveries.createForEvent(
      event.id,
      event.type,
      subscribers.map((endpoint) => endpoint.id),
      this.clock.now(),
    );
    if (created.length > 0) this.wake.now();
  }
}
