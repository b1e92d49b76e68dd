import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { WebhookDelivery } from "../domain/webhook-delivery.js";
import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";
import { WebhookAccess } from "./webhook-access.js";
import { WEBHOOK_DELIVERY_REPOSITORY, type WebhookDeliveryRepository } from "./webhook-delivery.repository.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";

/** webhooks.list, get and deliveries: the owner's endpoints and their delivery log. */
@injectable()
export class WebhookQueries {
  constructor(
    @inject(WebhookAccess) private readonly access: WebhookAccess,
    @inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository,
    @inject(WEBHOOK_DELIVERY_REPOSITORY) private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  list(caller: Caller): Promise<WebhookEndpoint[]> {
    return this.endpoints.listByOwner(caller.userId);
  }

  get(caller: Caller, id: string): Promise<WebhookEndpoint> {
    return this.access.owned(caller, id);
  }

  async deliveriesOf(
    caller: Caller,
    endpointId: string,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<WebhookDelivery>> {
    await this.access.owned(caller, endpointId);
    return this.deliveries.listByEndpoint(endpointId, page);
  }
}
