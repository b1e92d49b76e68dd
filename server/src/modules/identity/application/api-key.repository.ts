import type { ApiKey, ApiKeyState } from "../domain/api-key.entity.js";

export interface ApiKeyRepository {
  create(key: ApiKeyState, keyHash: string): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKey | null>;
  listByUser(userId: string): Promise<ApiKey[]>;
  /** Revokes only when the key belongs to `userId`; returns whether it did. */
  revoke(id: string, userId: string, now: Date): Promise<ApiKey | null>;
  touchLastUsed(id: string, now: Date): Promise<void>;
}

export const API_KEY_REPOSITORY = Symbol.for("ApiKeyRepository");
