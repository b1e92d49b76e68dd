import type { Page } from "../../../shared/application/pagination.js";
import type { UserListFilter, UserRepository } from "../application/user.repository.js";
import { User } from "../domain/user.entity.js";
import type { AuthStateCaches } from "./auth-state-caches.js";

/**
 * Users by id from this process's memory, in front of the shared cache (CachedUserRepository): every
 * authenticated request loads its user, and even a Redis round trip for that is too many. Every save
 * is announced to all processes (AuthStateCaches), so a role change, a disabled flag or a new
 * password hash is seen on the next request anywhere.
 */
export class NearCachedUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly caches: AuthStateCaches,
  ) {}

  async findById(id: string): Promise<User | null> {
    // Only active users are kept: a disabled one is refused, and refusing costs a read each time.
    const state = await this.caches.users.read(
      id,
      async () => (await this.inner.findById(id))?.toState(),
      (user) => !user.disabled,
    );
    // A fresh entity per read: a caller that changes it must not change what the next request sees.
    return state ? User.rehydrate(state) : null;
  }

  findByIdForWrite(id: string): Promise<User | null> {
    return this.inner.findByIdForWrite(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.inner.findByEmail(email);
  }

  /** A new id has no entry anywhere: "not found" is never cached. */
  create(user: User): Promise<void> {
    return this.inner.create(user);
  }

  async save(user: User): Promise<void> {
    await this.inner.save(user);
    await this.caches.invalidate({ kind: "user", id: user.id });
  }

  list(filter: UserListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<User>> {
    return this.inner.list(filter, page);
  }
}
