import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { ApiKey } from "../domain/api-key.entity.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "./api-key.repository.js";

@injectable()
export class ListApiKeysQuery {
  constructor(@inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository) {}

  execute(caller: Caller): Promise<ApiKey[]> {
    return this.keys.listByUser(caller.userId);
  }
}
