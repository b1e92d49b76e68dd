import { inject, injectable } from "inversify";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { User } from "../domain/user.entity.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

/** Serves auth.me and admin.users.get (possibly from the cache), and loads users for writes (never from it). */
@injectable()
export class GetUserQuery {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async execute(userId: string): Promise<User> {
    return found(await this.users.findById(userId));
  }

  async forWrite(userId: string): Promise<User> {
    return found(await this.users.findByIdForWrite(userId));
  }
}

function found(user: User | null): User {
  if (!user) throw IdentityErrors.userNotFound();
  return user;
}
