import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { newId } from "../../../shared/domain/ids.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/audit-log.js";
import { ApiKey } from "../domain/api-key.entity.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { ApiKeyScope } from "../domain/roles.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "./api-key.repository.js";
import type { Caller } from "./caller.js";
import { API_KEY_PREFIX, API_KEY_VISIBLE_LENGTH, generateOpaqueToken, hashOpaqueToken } from "./opaque-tokens.js";

@injectable()
export class CreateApiKeyUseCase {
  constructor(
    @inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The full key exists only in this return value; afterwards only its hash and prefix are kept. */
  async execute(caller: Caller, input: { name: string; scopes: ApiKeyScope[] }): Promise<{ apiKey: ApiKey; key: string }> {
    const key = `${API_KEY_PREFIX}${generateOpaqueToken()}`;
    const apiKey = ApiKey.rehydrate({
      id: newId(),
      userId: caller.userId,
      name: input.name.trim(),
      prefix: key.slice(0, API_KEY_VISIBLE_LENGTH),
      scopes: [...new Set(input.scopes)],
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.unitOfWork.run(async () => {
      await this.keys.create(apiKey.toState(), hashOpaqueToken(key));
      await this.audit.record({
        actorId: caller.userId,
        action: "api_key.created",
        targetType: "api_key",
        targetId: apiKey.id,
        metadata: { scopes: apiKey.scopes.join(" ") },
      });
    });
    return { apiKey, key };
  }
}

@injectable()
export class ListApiKeysQuery {
  constructor(@inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository) {}

  execute(caller: Caller): Promise<ApiKey[]> {
    return this.keys.listByUser(caller.userId);
  }
}

@injectable()
export class RevokeApiKeyUseCase {
  constructor(
    @inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Someone else's key is NOT_FOUND, exactly like a key that never existed. */
  async execute(caller: Caller, input: { id: string }): Promise<ApiKey> {
    return this.unitOfWork.run(async () => {
      const revoked = await this.keys.revoke(input.id, caller.userId, this.clock.now());
      if (!revoked) throw IdentityErrors.apiKeyNotFound();
      await this.audit.record({ actorId: caller.userId, action: "api_key.revoked", targetType: "api_key", targetId: input.id });
      return revoked;
    });
  }
}
