import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";

/** An endpoint as `webhooks.get` shows it: never a secret. */
export type EndpointView = {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: WebhookEndpoint["status"];
  disabledReason: string | null;
  failureCount: number;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
};

export function endpointView(endpoint: WebhookEndpoint): EndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: [...endpoint.events],
    status: endpoint.status,
    disabledReason: endpoint.disabledReason,
    failureCount: endpoint.failureCount,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
