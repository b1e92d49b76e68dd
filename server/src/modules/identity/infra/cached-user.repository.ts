import { z } from "zod";
import { CacheAside, type TransactionProbe } from "../../../cache/cache-aside.js";
import type { Cache } from "../../../shared/application/cache.js";
import type { Metrics } from "../../../shared/application/metrics.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { UserListFilter, UserRepository } from "../application/user.repository.js";
import { ROLES, TIERS } from "../../../shared/domain/roles.js";
import { User } from "../domain/user.entity.js";

export interface CachedUserRepositoryOptions {
  /** See CacheAside: must outlive the longest unit of work (Database.transaction: 15 s). */
  writeFenceSeconds?: number;
  metrics?: Metrics;
}

const isoDate = z.iso.datetime().transform((value) => new Date(value));

/**
 * The JSON of `User.toState()` as it comes back from the cache. Parsing instead of casting
 * turns an entry written by an older release (a field renamed, added) into a miss instead of a
 * broken entity, and revives the dates JSON turned into strings. A field added to UserState but
 * not here fails to compile at `User.rehydrate`.
 */
const cachedUserState = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  tier: z.enum(TIERS),
  passwordHash: z.string(),
  disabled: z.boolean(),
  version: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/**
 * Cache-aside in front of another UserRepository, for the hottest read of the API: every
 * authenticated request loads its user (AuthenticateUseCase), and auth.me does again.
 *
 * Entries hold the password hash as the database does (change-password verifies against the
 * loaded user), so the cache store deserves the database's protection.
 */
export class CachedUserRepository implements UserRepository {
  private readonly cacheAside: CacheAside<User>;

  constructor(
    private readonly inner: UserRepository,
    cache: Cache,
    transactions: TransactionProbe,
    options: CachedUserRepositoryOptions = {},
  ) {
    this.cacheAside = new CacheAside(cache, transactions, {
      prefix: "user",
      revive: (value, id) => {
        const cached = cachedUserState.safeParse(value);
        return cached.success && cached.data.id === id ? User.rehydrate(cached.data) : undefined;
      },
      snapshot: (user) => user.toState(),
      ...options,
    });
  }

  findById(id: string): Promise<User | null> {
    return this.cacheAside.read(id, () => this.inner.findById(id));
  }

  findByIdForWrite(id: string): Promise<User | null> {
    return this.inner.findByIdForWrite(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.inner.findByEmail(email);
  }

  async create(user: User): Promise<void> {
    await this.inner.create(user);
    await this.cacheAside.forget(user.id);
  }

  /**
   * The inner save checks the version the user carries, so write only users loaded with
   * findByIdForWrite: a cached copy may be behind, and then its save fails as a conflict.
   */
  async save(user: User): Promise<void> {
    await this.cacheAside.invalidate(user.id);
    await this.inner.save(user);
  }

  list(filter: UserListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<User>> {
    return this.inner.list(filter, page);
  }
}
