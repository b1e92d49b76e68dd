import { inject, injectable } from "inversify";
import type { Page } from "../../../shared/application/pagination.js";
import type { User } from "../domain/user.entity.js";
import { USER_REPOSITORY, type UserListFilter, type UserRepository } from "./user.repository.js";

@injectable()
export class ListUsersQuery {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  execute(filter: UserListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<User>> {
    return this.users.list(filter, page);
  }
}
