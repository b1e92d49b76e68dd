import type { z } from "zod";
import type { TokenPair } from "../application/session-issuer.js";
import type { ApiKey } from "../domain/api-key.entity.js";
import type { User } from "../domain/user.entity.js";
import type { adminUserOutput, apiKeyOutput, tokensOutput, userOutput } from "./identity.schemas.js";

export function toUserDto(user: User): z.infer<typeof userOutput> {
  const { id, email, name, role, tier, createdAt } = user.toState();
  return { id, email, name, role, tier, createdAt: createdAt.toISOString() };
}

export function toAdminUserDto(user: User): z.infer<typeof adminUserOutput> {
  const state = user.toState();
  return { ...toUserDto(user), disabled: state.disabled, updatedAt: state.updatedAt.toISOString() };
}

export function toTokensDto(tokens: TokenPair): z.infer<typeof tokensOutput> {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
  };
}

export function toApiKeyDto(apiKey: ApiKey): z.infer<typeof apiKeyOutput> {
  const { id, name, prefix, scopes, createdAt, lastUsedAt, revokedAt } = apiKey.toState();
  return {
    id,
    name,
    prefix,
    scopes,
    createdAt: createdAt.toISOString(),
    lastUsedAt: lastUsedAt?.toISOString() ?? null,
    revokedAt: revokedAt?.toISOString() ?? null,
  };
}
