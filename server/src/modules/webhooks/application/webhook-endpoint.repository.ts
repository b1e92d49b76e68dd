import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";

export interface WebhookEndpointRepository {
  /** False when the owner has `limit` endpoints already (checked under a lock of the owner, so racing creates cannot pass it). */
  create(endpoint: WebhookEndpoint, limit: number): Promise<boolean>;
  findById(id: string): Promise<WebhookEndpoint | null>;
  listByOwner(ownerId: string): Promise<WebhookEndpoint[]>;
  /** Conditional on the version it was loaded at; false when another write came first. */
  save(endpoint: WebhookEndpoint): Promise<boolean>;
  delete(id: string, ownerId: string): Promise<boolean>;
  /** The owner's ACTIVE endpoints that subscribe to `type`. */
  subscribers(ownerId: string, type: string): Promise<WebhookEndpoint[]>;
  recordSuccess(id: string): Promise<void>;
  /** One statement: the streak grows by one; returns when it began (null if the endpoint is gone). */
  recordFailure(id: string, now: Date): Promise<Date | null>;
  /** True when this call disabled it (it was ACTIVE). */
  disable(id: string, reason: string, now: Date): Promise<boolean>;
}

export const WEBHOOK_ENDPOINT_REPOSITORY = Symbol.for("WebhookEndpointRepository");
