import { inject, injectable } from "inversify";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { User } from "../domain/user.entity.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

/** Serves auth.me and admin.users.get: both just read one user. */
@injectable()
export class GetUserQuery {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async execute(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw IdentityErrors.userNotFound();
    return user;
  }
}
