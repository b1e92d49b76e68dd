import { LRUCache } from "lru-cache";
import type { ApiKeyRepository } from "../application/api-key.repository.js";
import { ApiKey, type ApiKeyState } from "../domain/api-key.entity.js";
import type { AuthStateCaches } from "./auth-state-caches.js";

/** As many keys as the near cache holds. */
const LAST_USES_MAX = 10_000;

/**
 * API keys by hash from this process's memory: every request with an API key looks its key up.
 * Only unrevoked keys are kept, and a revocation is announced to all processes (AuthStateCaches).
 */
export class NearCachedApiKeyRepository implements ApiKeyRepository {
  /**
   * Last uses this process wrote, by key id. A cached key still carries the lastUsedAt it was loaded
   * with, which would make every request look due for a write; this keeps the throttle per process.
   */
  private readonly lastUses = new LRUCache<string, Date>({ max: LAST_USES_MAX });

  constructor(
    private readonly inner: ApiKeyRepository,
    private readonly caches: AuthStateCaches,
  ) {}

  create(key: ApiKeyState, keyHash: string): Promise<void> {
    return this.inner.create(key, keyHash);
  }

  async findByHash(keyHash: string): Promise<ApiKey | null> {
    const state = await this.caches.apiKeys.read(
      keyHash,
      async () => (await this.inner.findByHash(keyHash))?.toState(),
      (key) => key.revokedAt === null,
    );
    if (!state) return null;
    const touched = this.lastUses.get(state.id);
    const lastUsedAt = touched && (!state.lastUsedAt || touched > state.lastUsedAt) ? touched : state.lastUsedAt;
    return ApiKey.rehydrate({ ...state, lastUsedAt });
  }

  listByUser(userId: string): Promise<ApiKey[]> {
    return this.inner.listByUser(userId);
  }

  findOwned(id: string, userId: string): Promise<ApiKey | null> {
    return this.inner.findOwned(id, userId);
  }

  /** Announced even when a concurrent request revoked it first: one more message costs nothing. */
  async saveRevocation(key: ApiKey): Promise<boolean> {
    const revoked = await this.inner.saveRevocation(key);
    await this.caches.invalidate({ kind: "apiKey", id: key.id });
    return revoked;
  }

  async touchLastUsed(id: string, now: Date): Promise<void> {
    await this.inner.touchLastUsed(id, now);
    this.lastUses.set(id, now);
  }
}
