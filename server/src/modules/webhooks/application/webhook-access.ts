import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";
import { WebhookErrors } from "../domain/webhook.errors.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";

/** Owner only: another user's endpoint is NOT_FOUND, exactly like one that never existed. */
@injectable()
export class WebhookAccess {
  constructor(@inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository) {}

  async owned(caller: Caller, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint || endpoint.ownerId !== caller.userId) throw WebhookErrors.notFound();
    return endpoint;
  }
}
