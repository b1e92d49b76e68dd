import type { ApiKey, ApiKeyState } from "../domain/api-key.entity.js";

export interface ApiKeyRepository {
  create(key: ApiKeyState, keyHash: string): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKey | null>;
  listByUser(userId: string): Promise<ApiKey[]>;
  /** The key when it belongs to `userId`; someone else's key is null, like a missing one. */
  findOwned(id: string, userId: string): Promise<ApiKey | null>;
  /** Writes `revokedAt` only if the stored key is not revoked yet; returns whether it did. */
  saveRevocation(key: ApiKey): Promise<boolean>;
  touchLastUsed(id: string, now: Date): Promise<void>;
}

export const API_KEY_REPOSITORY = Symbol.for("ApiKeyRepository");
