import type { Page } from "../../../shared/application/pagination.js";
import type { AttemptOutcome, DeliveryStatus, WebhookDelivery } from "../domain/webhook-delivery.js";

/** A delivery taken for one attempt, with what the attempt needs. */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  /** The event as it is sent: `{id, type, createdAt, data}`. */
  event: { id: string; type: string; createdAt: Date; data: unknown };
}

export interface AttemptRecord {
  attempt: number;
  outcome: AttemptOutcome;
  status: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
  next: { status: DeliveryStatus; nextAttemptAt: Date | null };
  now: Date;
}

export interface WebhookDeliveryRepository {
  /** One delivery per endpoint and event: a pair that exists already (an event handed over twice) is skipped. */
  createMany(pairs: readonly { eventId: string; eventType: string; endpointId: string }[], now: Date): Promise<void>;
  findById(id: string): Promise<WebhookDelivery | null>;
  listByEndpoint(endpointId: string, page: { cursor?: string | undefined; limit: number }): Promise<Page<WebhookDelivery>>;
  /** Due PENDING deliveries, claimed until `claimUntil` (SKIP LOCKED), none of `skipEndpoints`, at most `perEndpoint` of one endpoint's. */
  claimDue(
    now: Date,
    claimUntil: Date,
    limit: number,
    skipEndpoints: readonly string[],
    perEndpoint?: number,
  ): Promise<ClaimedDelivery[]>;
  /** Gives claimed deliveries back untried, due as they were. */
  release(deliveryIds: readonly string[]): Promise<void>;
  /** The attempt's log row and the delivery's new state in one transaction; false if another attempt got there first. */
  recordAttempt(deliveryId: string, record: AttemptRecord): Promise<boolean>;
  /** Ends a claimed delivery without an attempt (its endpoint is disabled). */
  abandon(deliveryId: string, reason: string, now: Date): Promise<void>;
  /** Queued again for an attempt now, whatever its state. */
  redeliver(deliveryId: string, now: Date): Promise<WebhookDelivery | null>;
}

export const WEBHOOK_DELIVERY_REPOSITORY = Symbol.for("WebhookDeliveryRepository");
