import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { WebhookEndpoint as EndpointRow } from "../../../generated/prisma/client.js";
import { EVENT_TYPES, type EventType } from "../../../shared/domain/domain-event.js";
import type { WebhookEndpointRepository } from "../application/webhook-endpoint.repository.js";
import { WEBHOOK_SECRETS, type WebhookSecrets } from "../application/webhook-secrets.js";
import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";

@injectable()
export class PrismaWebhookEndpointRepository implements WebhookEndpointRepository {
  constructor(
    @inject(DATABASE) private readonly db: Database,
    @inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
  ) {}

  async create(endpoint: WebhookEndpoint, limit: number): Promise<boolean> {
    return this.db.transaction(async () => {
      // The owner's row is the lock two racing creates queue on, so the count below stays true.
      await this.db.client.$queryRaw`SELECT id FROM users WHERE id = ${endpoint.ownerId}::uuid FOR UPDATE`;
      if ((await this.db.client.webhookEndpoint.count({ where: { ownerId: endpoint.ownerId } })) >= limit) return false;
      await this.db.client.webhookEndpoint.create({ data: this.toRow(endpoint) });
      return true;
    });
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db.client.webhookEndpoint.findUnique({ where: { id } });
    return row ? this.toEndpoint(row) : null;
  }

  async listByOwner(ownerId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.client.webhookEndpoint.findMany({
      where: { ownerId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map((row) => this.toEndpoint(row));
  }

  async save(endpoint: WebhookEndpoint): Promise<boolean> {
    const { id, ownerId: _o, createdAt: _c, version, ...changes } = this.toRow(endpoint);
    const { count } = await this.db.client.webhookEndpoint.updateMany({
      where: { id, version },
      data: { ...changes, version: { increment: 1 } },
    });
    return count === 1;
  }

  async delete(id: string, ownerId: string): Promise<boolean> {
    const { count } = await this.db.client.webhookEndpoint.deleteMany({ where: { id, ownerId } });
    return count === 1;
  }

  async subscribers(ownerId: string, type: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.client.webhookEndpoint.findMany({ where: { ownerId, status: "ACTIVE", events: { has: type } } });
    return rows.map((row) => this.toEndpoint(row));
  }

  async recordSuccess(id: string): Promise<void> {
    await this.db.client.webhookEndpoint.updateMany({
      where: { id, failureCount: { gt: 0 } },
      data: { failureCount: 0, failingSince: null },
    });
  }

  async recordFailure(id: string, now: Date): Promise<Date | null> {
    const rows = await this.db.client.$queryRaw<{ failing_since: Date }[]>`
      UPDATE webhook_endpoints
      SET failure_count = failure_count + 1, failing_since = COALESCE(failing_since, ${now}::timestamptz)
      WHERE id = ${id}::uuid
      RETURNING failing_since`;
    return rows[0]?.failing_since ?? null;
  }

  async disable(id: string, reason: string, now: Date): Promise<boolean> {
    const { count } = await this.db.client.webhookEndpoint.updateMany({
      where: { id, status: "ACTIVE" },
      data: { status: "DISABLED", disabledReason: reason, updatedAt: now, version: { increment: 1 } },
    });
    return count === 1;
  }

  private toRow(endpoint: WebhookEndpoint) {
    return {
      ...endpoint,
      events: [...endpoint.events],
      secret: this.secrets.seal(endpoint.secret),
      previousSecret: endpoint.previousSecret === null ? null : this.secrets.seal(endpoint.previousSecret),
    };
  }

  private toEndpoint(row: EndpointRow): WebhookEndpoint {
    const known = new Set<string>(EVENT_TYPES);
    return {
      ...row,
      // A type retired since the row was written is dropped rather than failing the read.
      events: row.events.filter((type): type is EventType => known.has(type)),
      secret: this.secrets.open(row.secret),
      previousSecret: row.previousSecret === null ? null : this.secrets.open(row.previousSecret),
    };
  }
}
