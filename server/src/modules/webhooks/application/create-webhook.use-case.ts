import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { newId } from "../../../shared/domain/ids.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { MAX_ENDPOINTS_PER_OWNER, validEvents, type WebhookEndpoint } from "../domain/webhook-endpoint.js";
import { WebhookErrors } from "../domain/webhook.errors.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";
import { WEBHOOK_SECRETS, WEBHOOK_URL_POLICY, type WebhookSecrets, type WebhookUrlPolicy } from "./webhook-secrets.js";

export interface WebhookInput {
  url: string;
  events: readonly string[];
  description?: string | undefined;
}

/** The new endpoint and its secret, which is shown this once. */
@injectable()
export class CreateWebhookUseCase {
  constructor(
    @inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository,
    @inject(WEBHOOK_URL_POLICY) private readonly urls: WebhookUrlPolicy,
    @inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, input: WebhookInput): Promise<WebhookEndpoint> {
    const events = validEvents(input.events);
    await this.urls.check(input.url);
    const now = this.clock.now();
    const endpoint: WebhookEndpoint = {
      id: newId(),
      ownerId: caller.userId,
      url: input.url,
      description: input.description?.trim() ?? "",
      events,
      secret: this.secrets.generate(),
      previousSecret: null,
      previousSecretExpiresAt: null,
      status: "ACTIVE",
      disabledReason: null,
      failureCount: 0,
      failingSince: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.unitOfWork.run(async () => {
      if (!(await this.endpoints.create(endpoint, MAX_ENDPOINTS_PER_OWNER)))
        throw WebhookErrors.limitReached(MAX_ENDPOINTS_PER_OWNER);
      await this.audit.record({
        actorId: caller.userId,
        action: "webhook.created",
        targetType: "webhook_endpoint",
        targetId: endpoint.id,
      });
    });
    return endpoint;
  }
}
