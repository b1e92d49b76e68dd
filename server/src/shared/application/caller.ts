import type { ApiKeyScope, Role, Tier } from "../domain/roles.js";

/** Who is calling, as every use case sees it once authentication is done. */
export type Caller =
  | { via: "session"; userId: string; role: Role; tier: Tier; sessionId: string }
  | { via: "apiKey"; userId: string; role: Role; tier: Tier; apiKeyId: string; scopes: readonly ApiKeyScope[] };
