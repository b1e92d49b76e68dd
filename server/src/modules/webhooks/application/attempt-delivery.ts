import { inject, injectable } from "inversify";
import { APP_CONFIG_WEBHOOKS, type WebhookDeliverySettings } from "./webhook-settings.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { Logger } from "../../../shared/application/logger.js";
import { LOGGER } from "../../../shared/application/logger.js";
import { METRICS, type Metrics } from "../../../shared/application/metrics.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { judgeAttempt } from "../domain/webhook-delivery.js";
import { signingSecrets } from "../domain/webhook-endpoint.js";
import { nextAttemptDelayMs } from "../domain/retry-schedule.js";
import type { ClaimedDelivery } from "./webhook-delivery.repository.js";
import { WEBHOOK_DELIVERY_REPOSITORY, type WebhookDeliveryRepository } from "./webhook-delivery.repository.js";
import { WEBHOOK_ENDPOINT_REPOSITORY, type WebhookEndpointRepository } from "./webhook-endpoint.repository.js";
import { WEBHOOK_SENDER, type WebhookSender } from "./webhook-sender.js";

/**
 * One attempt of one claimed delivery: sign and send the event, log the attempt, and decide what
 * comes next for the delivery (done, retried later, given up) and for its endpoint (its failure
 * streak, disabled on 410 or after failing for `disableAfterMs`).
 */
@injectable()
export class AttemptDelivery {
  constructor(
    @inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository,
    @inject(WEBHOOK_DELIVERY_REPOSITORY) private readonly deliveries: WebhookDeliveryRepository,
    @inject(WEBHOOK_SENDER) private readonly sender: WebhookSender,
    @inject(APP_CONFIG_WEBHOOKS) private readonly settings: WebhookDeliverySettings,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(METRICS) private readonly metrics: Metrics,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ delivery, event }: ClaimedDelivery, signal?: AbortSignal): Promise<void> {
    const endpoint = await this.endpoints.findById(delivery.endpointId);
    if (!endpoint) return; // deleted meanwhile: its deliveries went with it
    // A test is sent to a DISABLED endpoint too (its owner is checking a fixed receiver).
    if (endpoint.status === "DISABLED" && event.type !== "webhook.test") {
      await this.deliveries.abandon(
        delivery.id,
        `endpoint disabled: ${endpoint.disabledReason ?? "no reason"}`,
        this.clock.now(),
      );
      return;
    }
    const sentAt = this.clock.now();
    const body = JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });
    const result = await this.sender.send(
      { url: endpoint.url, id: event.id, timestamp: sentAt, body, secrets: signingSecrets(endpoint, sentAt) },
      signal,
    );
    const now = this.clock.now();
    const attempt = delivery.attempts + 1;
    const delay =
      result.outcome === "FAILED" ? nextAttemptDelayMs(attempt, this.settings.retryDelaysMs, result.retryAfterMs) : null;
    const verdict = judgeAttempt(result.outcome, now, delay);
    this.metrics.webhookDelivered(
      verdict.delivery.status === "SUCCEEDED" ? "delivered" : verdict.delivery.status === "PENDING" ? "failed" : "gave_up",
    );
    const recorded = await this.deliveries.recordAttempt(delivery.id, {
      attempt,
      outcome: result.outcome,
      status: result.status,
      durationMs: Math.round(result.durationMs),
      error: result.error,
      responseBody: result.responseBody,
      next: verdict.delivery,
      now,
    });
    if (!recorded) return;
    // Always asked (a conditional no-op when the streak is empty): a failure recorded by an earlier
    // attempt may land after this attempt loaded the endpoint.
    if (verdict.endpoint === "success") return this.endpoints.recordSuccess(endpoint.id);
    if (verdict.endpoint === "gone") return this.disable(endpoint.id, endpoint.ownerId, "the receiver answered 410 Gone", now);
    const failingSince = await this.endpoints.recordFailure(endpoint.id, now);
    if (failingSince && now.getTime() - failingSince.getTime() >= this.settings.disableAfterMs) {
      await this.disable(endpoint.id, endpoint.ownerId, "failing without a success for too long", now);
    }
  }

  private async disable(id: string, ownerId: string, reason: string, now: Date): Promise<void> {
    if (!(await this.endpoints.disable(id, reason, now))) return;
    this.logger.warn("webhook endpoint disabled", { endpointId: id, reason });
    await this.audit.record({
      actorId: null,
      action: "webhook.disabled",
      targetType: "webhook_endpoint",
      targetId: id,
      metadata: { reason, ownerId },
    });
  }
}
