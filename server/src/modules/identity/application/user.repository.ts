import type { Page } from "../../../shared/application/pagination.js";
import type { Role, Tier } from "../../../shared/domain/roles.js";
import type { User } from "../domain/user.entity.js";

export interface UserListFilter {
  email?: string | undefined;
  role?: Role | undefined;
  tier?: Tier | undefined;
}

export interface UserRepository {
  /** May be served from a cache: for reads only. */
  findById(id: string): Promise<User | null>;
  /** Always the database: a write must start from the current row, or it would save stale fields back. */
  findByIdForWrite(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /** Throws the EMAIL_TAKEN domain error when the email is already registered. */
  create(user: User): Promise<void>;
  /**
   * Saves only if the stored row is still at the version the user was loaded at, then advances
   * the user's version. Otherwise throws CONCURRENT_MODIFICATION (USER_NOT_FOUND if the row is gone).
   */
  save(user: User): Promise<void>;
  list(filter: UserListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<User>>;
}

export const USER_REPOSITORY = Symbol.for("UserRepository");
