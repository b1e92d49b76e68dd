import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { keysetPage } from "../../../database/keyset.js";
import type { WebhookDelivery as DeliveryRow } from "../../../generated/prisma/client.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import { newId } from "../../../shared/domain/ids.js";
import type { AttemptRecord, ClaimedDelivery, WebhookDeliveryRepository } from "../application/webhook-delivery.repository.js";
import type { WebhookDelivery } from "../domain/webhook-delivery.js";

interface ClaimedRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDelivery["status"];
  attempts: number;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_duration_ms: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  event_created_at: Date;
  event_data: unknown;
}

/** Due deliveries looked at per claim, before the per-endpoint cap. */
const CLAIM_WINDOW = 500;

/** Longest stored response body and error text in the log. */
const MAX_LOGGED_TEXT = 64 * 1024;

@injectable()
export class PrismaWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async createMany(pairs: readonly { eventId: string; eventType: string; endpointId: string }[], now: Date): Promise<void> {
    if (pairs.length === 0) return;
    await this.db.client.webhookDelivery.createMany({
      data: pairs.map((pair) => ({
        id: newId(),
        ...pair,
        status: "PENDING" as const,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
      skipDuplicates: true,
    });
  }

  async findById(id: string): Promise<WebhookDelivery | null> {
    const row = await this.db.client.webhookDelivery.findUnique({ where: { id } });
    return row ? toDelivery(row) : null;
  }

  async listByEndpoint(endpointId: string, page: { cursor?: string | undefined; limit: number }): Promise<Page<WebhookDelivery>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.webhookDelivery.findMany({ where: { AND: [{ endpointId }, after] }, ...order });
    return toPage(rows, page.limit, toDelivery);
  }

  async claimDue(
    now: Date,
    claimUntil: Date,
    limit: number,
    skipEndpoints: readonly string[],
    perEndpoint: number = limit,
  ): Promise<ClaimedDelivery[]> {
    const skip = skipEndpoints.length > 0 ? [...skipEndpoints] : ["00000000-0000-0000-0000-000000000000"];
    // The due rows are ranked per endpoint in a bounded window first (no locks), so one claim takes
    // at most `perEndpoint` of one endpoint's deliveries and a backlog to one receiver is not claimed
    // only to be given back; the conditions are checked again on the rows locked.
    const rows = await this.db.client.$queryRaw<ClaimedRow[]>`
      WITH candidates AS (
        SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, id) AS rank
        FROM (
          SELECT id, endpoint_id, next_attempt_at FROM webhook_deliveries
          WHERE status = 'PENDING' AND next_attempt_at <= ${now}::timestamptz
            AND (claimed_until IS NULL OR claimed_until < ${now}::timestamptz)
            AND endpoint_id <> ALL(${skip}::uuid[])
          ORDER BY next_attempt_at LIMIT ${CLAIM_WINDOW}::int) window_rows),
      due AS (
        SELECT d.id FROM webhook_deliveries d JOIN candidates c ON c.id = d.id
        WHERE c.rank <= ${perEndpoint}::int AND d.status = 'PENDING'
          AND (d.claimed_until IS NULL OR d.claimed_until < ${now}::timestamptz)
        ORDER BY d.next_attempt_at LIMIT ${limit}::int
        FOR UPDATE OF d SKIP LOCKED),
      claimed AS (
        UPDATE webhook_deliveries d SET claimed_until = ${claimUntil}::timestamptz
        FROM due WHERE d.id = due.id
        RETURNING d.*)
      SELECT claimed.id, claimed.endpoint_id, claimed.event_id, claimed.event_type, claimed.status::text AS status,
             claimed.attempts, claimed.next_attempt_at, claimed.last_status, claimed.last_duration_ms, claimed.last_error,
             claimed.created_at, claimed.updated_at, e.created_at AS event_created_at, e.data AS event_data
      FROM claimed JOIN outbox_events e ON e.id = claimed.event_id`;
    return rows.map((row) => ({
      delivery: {
        id: row.id,
        endpointId: row.endpoint_id,
        eventId: row.event_id,
        eventType: row.event_type,
        status: row.status,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        lastStatus: row.last_status,
        lastDurationMs: row.last_duration_ms,
        lastError: row.last_error,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      },
      event: { id: row.event_id, type: row.event_type, createdAt: row.event_created_at, data: row.event_data },
    }));
  }

  async release(deliveryIds: readonly string[]): Promise<void> {
    await this.db.client.webhookDelivery.updateMany({ where: { id: { in: [...deliveryIds] } }, data: { claimedUntil: null } });
  }

  async recordAttempt(deliveryId: string, record: AttemptRecord): Promise<boolean> {
    const error = record.error?.slice(0, MAX_LOGGED_TEXT) ?? null;
    // One statement, so no transaction holds a pooled connection: the delivery's new state,
    // conditional on the attempt count (a second process that claimed it after a claim ran out
    // records nothing over this attempt), and the log row made from what the update returned.
    const rows = await this.db.client.$queryRaw<{ id: string }[]>`
      WITH updated AS (
        UPDATE webhook_deliveries
        SET attempts = ${record.attempt}::int, status = ${record.next.status}::"WebhookDeliveryStatus",
            next_attempt_at = ${record.next.nextAttemptAt}::timestamptz, claimed_until = NULL,
            last_status = ${record.status}::int, last_duration_ms = ${record.durationMs}::int,
            last_error = ${error}, updated_at = ${record.now}::timestamptz
        WHERE id = ${deliveryId}::uuid AND attempts = ${record.attempt - 1}::int
        RETURNING id)
      INSERT INTO webhook_attempts (id, delivery_id, attempt, outcome, status, duration_ms, error, response_body, created_at)
      SELECT ${newId()}::uuid, updated.id, ${record.attempt}::int, ${record.outcome}, ${record.status}::int,
             ${record.durationMs}::int, ${error}, ${record.responseBody?.slice(0, MAX_LOGGED_TEXT) ?? null},
             ${record.now}::timestamptz
      FROM updated
      RETURNING id`;
    return rows.length === 1;
  }

  async abandon(deliveryId: string, reason: string, now: Date): Promise<void> {
    await this.db.client.webhookDelivery.updateMany({
      where: { id: deliveryId, status: "PENDING" },
      data: { status: "FAILED", nextAttemptAt: null, claimedUntil: null, lastError: reason, updatedAt: now },
    });
  }

  async redeliver(deliveryId: string, now: Date): Promise<WebhookDelivery | null> {
    const { count } = await this.db.client.webhookDelivery.updateMany({
      where: { id: deliveryId },
      data: { status: "PENDING", nextAttemptAt: now, claimedUntil: null, updatedAt: now },
    });
    return count === 1 ? this.findById(deliveryId) : null;
  }
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  const { claimedUntil: _claimed, ...delivery } = row;
  return delivery;
}
