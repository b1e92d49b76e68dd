import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { ApiKey as ApiKeyRow } from "../../../generated/prisma/client.js";
import type { ApiKeyRepository } from "../application/api-key.repository.js";
import { ApiKey, type ApiKeyState } from "../domain/api-key.entity.js";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../../shared/domain/roles.js";

@injectable()
export class PrismaApiKeyRepository implements ApiKeyRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async create(key: ApiKeyState, keyHash: string): Promise<void> {
    await this.db.client.apiKey.create({ data: { ...key, scopes: [...key.scopes], keyHash } });
  }

  async findByHash(keyHash: string): Promise<ApiKey | null> {
    const row = await this.db.client.apiKey.findUnique({ where: { keyHash } });
    return row ? toApiKey(row) : null;
  }

  async listByUser(userId: string): Promise<ApiKey[]> {
    const rows = await this.db.client.apiKey.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    return rows.map(toApiKey);
  }

  async findOwned(id: string, userId: string): Promise<ApiKey | null> {
    const row = await this.db.client.apiKey.findFirst({ where: { id, userId } });
    return row ? toApiKey(row) : null;
  }

  async saveRevocation(key: ApiKey): Promise<boolean> {
    const { count } = await this.db.client.apiKey.updateMany({
      where: { id: key.id, revokedAt: null },
      data: { revokedAt: key.revokedAt },
    });
    return count === 1;
  }

  async touchLastUsed(id: string, now: Date): Promise<void> {
    await this.db.client.apiKey.update({ where: { id }, data: { lastUsedAt: now } });
  }
}

function toApiKey(row: ApiKeyRow): ApiKey {
  const { keyHash: _keyHash, ...state } = row;
  return ApiKey.rehydrate({ ...state, scopes: row.scopes.filter(isScope) });
}

function isScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}
