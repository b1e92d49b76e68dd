import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { User as UserRow } from "../../../generated/prisma/client.js";
import { keysetPage } from "../../../database/keyset.js";
import { escapeLikePattern } from "../../../database/like-pattern.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import { ConcurrencyErrors } from "../../../shared/domain/concurrency.errors.js";
import type { UserListFilter, UserRepository } from "../application/user.repository.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import { User } from "../domain/user.entity.js";
import { isUniqueViolation } from "../../../database/unique-violation.js";

@injectable()
export class PrismaUserRepository implements UserRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async findById(id: string): Promise<User | null> {
    const row = await this.db.client.user.findUnique({ where: { id } });
    return row ? toUser(row) : null;
  }

  findByIdForWrite(id: string): Promise<User | null> {
    return this.findById(id);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.db.client.user.findUnique({ where: { email: email.toLowerCase() } });
    return row ? toUser(row) : null;
  }

  async create(user: User): Promise<void> {
    try {
      await this.db.client.user.create({ data: user.toState() });
    } catch (error) {
      if (isUniqueViolation(error)) throw IdentityErrors.emailTaken();
      throw error;
    }
  }

  /**
   * Conditional on the version the user was loaded at: a write that started from an older row
   * (a password change overlapping an admin's setDisabled) fails instead of writing stale fields back.
   */
  async save(user: User): Promise<void> {
    const { id, version, createdAt: _createdAt, ...changes } = user.toState();
    const { count } = await this.db.client.user.updateMany({
      where: { id, version },
      data: { ...changes, version: { increment: 1 } },
    });
    if (count === 0) {
      if ((await this.db.client.user.count({ where: { id } })) === 0) throw IdentityErrors.userNotFound();
      throw ConcurrencyErrors.concurrentModification("user");
    }
    user.markSaved();
  }

  async list(filter: UserListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<User>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.user.findMany({
      where: {
        AND: [
          filter.email ? { email: { contains: escapeLikePattern(filter.email.toLowerCase()) } } : {},
          filter.role ? { role: filter.role } : {},
          filter.tier ? { tier: filter.tier } : {},
          after,
        ],
      },
      ...order,
    });
    return toPage(rows, page.limit, toUser);
  }
}

function toUser(row: UserRow): User {
  return User.rehydrate(row);
}
