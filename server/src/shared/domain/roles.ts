export const ROLES = ["USER", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const TIERS = ["FREE", "PREMIUM"] as const;
export type Tier = (typeof TIERS)[number];

export const API_KEY_SCOPES = ["videos:read", "videos:write", "jobs:read", "jobs:write", "webhooks:write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
