import type { RouterInputs } from "../api/client";

export type ApiKeyScope = RouterInputs["apiKeys"]["create"]["scopes"][number];

/**
 * The server's API_KEY_SCOPES restated (the console imports no server code). Keyed by the input's
 * own type, so tsc fails here when a scope is added to or removed from the API.
 */
const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  "videos:read": "list videos and read their details",
  "videos:write": "upload, change and delete videos",
  "jobs:read": "read jobs and their progress",
  "jobs:write": "start and cancel jobs (spends credits)",
  "webhooks:write": "manage webhooks and their deliveries",
};

export const API_KEY_SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as ApiKeyScope[];

export function scopeDescription(scope: ApiKeyScope): string {
  return SCOPE_DESCRIPTIONS[scope];
}
