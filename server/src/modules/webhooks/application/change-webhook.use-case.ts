import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { PREVIOUS_SECRET_GRACE_MS, validEvents, type WebhookEndpoint } from "../domain/webhook-endpoint.js";
import { WebhookErrors } from "../domain/webhook.errors.js";
import { WebhookAccess } from "./webhook-access.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";
import { WEBHOOK_SECRETS, WEBHOOK_URL_POLICY, type WebhookSecrets, type WebhookUrlPolicy } from "./webhook-secrets.js";

export interface WebhookChanges {
  url?: string | undefined;
  events?: readonly string[] | undefined;
  description?: string | undefined;
  /** true turns a DISABLED endpoint back on (its failure streak starts over); false turns it off. */
  enabled?: boolean | undefined;
}

/** update, rotateSecret and delete: the owner's changes to one endpoint. */
@injectable()
export class ChangeWebhookUseCase {
  constructor(
    @inject(WebhookAccess) private readonly access: WebhookAccess,
    @inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository,
    @inject(WEBHOOK_URL_POLICY) private readonly urls: WebhookUrlPolicy,
    @inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async update(caller: Caller, id: string, changes: WebhookChanges): Promise<WebhookEndpoint> {
    const current = await this.access.owned(caller, id);
    const events = changes.events === undefined ? current.events : validEvents(changes.events);
    if (changes.url !== undefined && changes.url !== current.url) await this.urls.check(changes.url);
    const now = this.clock.now();
    const status = changes.enabled === undefined ? current.status : changes.enabled ? "ACTIVE" : "DISABLED";
    const reenabled = current.status === "DISABLED" && status === "ACTIVE";
    const next: WebhookEndpoint = {
      ...current,
      url: changes.url ?? current.url,
      events,
      description: changes.description?.trim() ?? current.description,
      status,
      disabledReason:
        status === "ACTIVE" ? null : current.status === "DISABLED" ? current.disabledReason : "disabled by its owner",
      ...(reenabled ? { failureCount: 0, failingSince: null } : {}),
      updatedAt: now,
    };
    return this.save(next);
  }

  /** A new secret, shown once; the previous one keeps signing for 24 h next to it. */
  async rotateSecret(caller: Caller, id: string): Promise<WebhookEndpoint> {
    const current = await this.access.owned(caller, id);
    const now = this.clock.now();
    const next: WebhookEndpoint = {
      ...current,
      secret: this.secrets.generate(),
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS),
      updatedAt: now,
    };
    return this.unitOfWork.run(async () => {
      const saved = await this.save(next);
      await this.audit.record({
        actorId: caller.userId,
        action: "webhook.secret_rotated",
        targetType: "webhook_endpoint",
        targetId: id,
      });
      return saved;
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.unitOfWork.run(async () => {
      if (!(await this.endpoints.delete(id, caller.userId))) throw WebhookErrors.notFound();
      await this.audit.record({
        actorId: caller.userId,
        action: "webhook.deleted",
        targetType: "webhook_endpoint",
        targetId: id,
      });
    });
  }

  private async save(next: WebhookEndpoint): Promise<WebhookEndpoint> {
    if (!(await this.endpoints.save(next))) {
      if (!(await this.endpoints.findById(next.id))) throw WebhookErrors.notFound();
      throw ConcurrencyErrors.concurrentModification("webhook endpoint");
    }
    return { ...next, version: next.version + 1 };
  }
}
