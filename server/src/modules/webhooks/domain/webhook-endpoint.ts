import { EVENT_TYPES, type EventType } from "../../../shared/domain/domain-event.js";
import { WebhookErrors } from "./webhook.errors.js";

export const MAX_ENDPOINTS_PER_OWNER = 20;
export const DESCRIPTION_MAX_LENGTH = 500;
/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

export type EndpointStatus = "ACTIVE" | "DISABLED";

/** An endpoint as the application sees it; secrets are open here and sealed only in the table. */
export interface WebhookEndpoint {
  id: string;
  ownerId: string;
  url: string;
  description: string;
  events: EventType[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  status: EndpointStatus;
  disabledReason: string | null;
  failureCount: number;
  failingSince: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Each subscribable type at most once, at least one; order kept as given. */
export function validEvents(events: readonly string[]): EventType[] {
  const known = new Set<string>(EVENT_TYPES);
  const unique = [...new Set(events)];
  if (unique.length === 0 || unique.length !== events.length || unique.some((type) => !known.has(type))) {
    throw WebhookErrors.invalidEvents();
  }
  return unique as EventType[];
}

/** The secrets that sign a message now: the current one, and the previous one during its grace period. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const previous =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now
      ? [endpoint.previousSecret]
      : [];
  return [endpoint.secret, ...previous];
}

export function subscribesTo(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.status === "ACTIVE" && (endpoint.events as string[]).includes(type);
}
