import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { ApiKey } from "../domain/api-key.entity.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "./api-key.repository.js";

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
      const apiKey = await this.keys.findOwned(input.id, caller.userId);
      if (!apiKey) throw IdentityErrors.apiKeyNotFound();
      // Already revoked is still a success for the owner, audited once.
      if (apiKey.revoke(this.clock.now()) && (await this.keys.saveRevocation(apiKey))) {
        await this.audit.record({
          actorId: caller.userId,
          action: "api_key.revoked",
          targetType: "api_key",
          targetId: apiKey.id,
        });
      }
      return apiKey;
    });
  }
}
