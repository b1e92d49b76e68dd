import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { User } from "../domain/user.entity.js";
import type { Caller } from "../../../shared/application/caller.js";
import { GetUserQuery } from "./get-user.query.js";
import { USER_REPOSITORY, type UserRepository } from "./user.repository.js";

@injectable()
export class UpdateProfileUseCase {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(GetUserQuery) private readonly getUser: GetUserQuery,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, input: { name: string | null }): Promise<User> {
    const user = await this.getUser.forWrite(caller.userId);
    user.rename(input.name, this.clock.now());
    await this.users.save(user);
    return user;
  }
}
