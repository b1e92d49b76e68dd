import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../../shared/application/event-outbox.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { newEventId, TEST_EVENT_TYPE } from "../../../shared/domain/domain-event.js";
import type { WebhookDelivery } from "../domain/webhook-delivery.js";
import { WebhookErrors } from "../domain/webhook.errors.js";
import { endpointView } from "./endpoint-view.js";
import { WebhookAccess } from "./webhook-access.js";
import { WEBHOOK_DELIVERY_REPOSITORY, type WebhookDeliveryRepository } from "./webhook-delivery.repository.js";
import { DeliveryWake } from "./delivery-wake.js";

/** webhooks.test and webhooks.redeliver: deliveries the owner asks for. */
@injectable()
export class SendWebhookUseCase {
  constructor(
    @inject(WebhookAccess) private readonly access: WebhookAccess,
    @inject(WEBHOOK_DELIVERY_REPOSITORY) private readonly deliveries: WebhookDeliveryRepository,
    @inject(EVENT_OUTBOX) private readonly outbox: EventOutbox,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(DeliveryWake) private readonly wake: DeliveryWake,
  ) {}

  /**
   * A `webhook.test` event for this endpoint alone (also a DISABLED one, to check a fixed
   * receiver), delivered like any other: signed, retried, logged. Returns the event id.
   */
  async test(caller: Caller, endpointId: string): Promise<{ eventId: string }> {
    const endpoint = await this.access.owned(caller, endpointId);
    const now = this.clock.now();
    const id = newEventId();
    await this.unitOfWork.run(async () => {
      // Stored like every event (the delivery reads its body from there), and already handled:
      // nothing but this endpoint's delivery comes of it.
      await this.outbox.append(
        [
          {
            id,
            type: TEST_EVENT_TYPE,
            aggregateId: endpoint.id,
            ownerId: endpoint.ownerId,
            occurredAt: now,
            data: endpointView(endpoint),
          },
        ],
        {
          handled: true,
        },
      );
      await this.deliveries.createMany([{ eventId: id, eventType: TEST_EVENT_TYPE, endpointId: endpoint.id }], now);
    });
    this.wake.now();
    return { eventId: id };
  }

  /** The same event again, now: same `webhook-id`, a new attempt in the log. */
  async redeliver(caller: Caller, deliveryId: string): Promise<WebhookDelivery> {
    const delivery = await this.deliveries.findById(deliveryId);
    if (!delivery) throw WebhookErrors.deliveryNotFound();
    await this.access.owned(caller, delivery.endpointId).catch(() => {
      throw WebhookErrors.deliveryNotFound();
    });
    const queued = await this.deliveries.redeliver(deliveryId, this.clock.now());
    if (!queued) throw WebhookErrors.deliveryNotFound();
    this.wake.now();
    return queued;
  }
}
