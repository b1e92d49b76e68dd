import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { newId } from "../../../shared/domain/ids.js";
import type { ApiKeyScope } from "../../../shared/domain/roles.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { ApiKey } from "../domain/api-key.entity.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "./api-key.repository.js";
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
    const apiKey = ApiKey.create({
      id: newId(),
      userId: caller.userId,
      name: input.name,
      scopes: input.scopes,
      key,
      visibleLength: API_KEY_VISIBLE_LENGTH,
      now: this.clock.now(),
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
