import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { AUDIT_LOG, type AuditLog } from "../../server/src/modules/audit/application/audit-log.js";
import { API_KEY_REPOSITORY, type ApiKeyRepository } from "../../server/src/modules/identity/application/api-key.repository.js";
import { SESSION_REPOSITORY, type SessionRepository } from "../../server/src/modules/identity/application/session.repository.js";
import { USER_REPOSITORY, type UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { newId } from "../../server/src/shared/domain/ids.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { uniqueEmail } from "../support/users.js";

describe.each(backends())("repositories on %s", (backend) => {
  let app: TestApp;
  let users: UserRepository;
  let sessions: SessionRepository;
  let keys: ApiKeyRepository;
  let audit: AuditLog;
  const now = new Date();
  const newUser = (email = uniqueEmail(), createdAt = now) =>
    User.create({ email: Email.parse(email), passwordHash: "hash", now: createdAt });

  beforeAll(async () => {
    app = await createTestApp(backend);
    users = app.container.get(USER_REPOSITORY);
    sessions = app.container.get(SESSION_REPOSITORY);
    keys = app.container.get(API_KEY_REPOSITORY);
    audit = app.container.get(AUDIT_LOG);
  });
  afterAll(() => app.close());

  describe("users", () => {
    it("stores and reloads every field, and finds by email in any case", async () => {
      const user = newUser();
      await users.create(user);
      expect((await users.findById(user.id))?.toState()).toEqual(user.toState());
      expect((await users.findByEmail(user.email.toUpperCase()))?.id).toBe(user.id);
      expect(await users.findById(newId())).toBeNull();
    });

    it("turns a duplicate email into EMAIL_TAKEN", async () => {
      const email = uniqueEmail();
      await users.create(newUser(email));
      await expect(users.create(newUser(email))).rejects.toMatchObject({ code: "EMAIL_TAKEN", kind: "CONFLICT" });
    });

    it("saves changes made through the entity", async () => {
      const user = newUser();
      await users.create(user);
      user.rename("New Name", new Date(now.getTime() + 1000));
      user.changeTier("PREMIUM", new Date(now.getTime() + 1000));
      await users.save(user);
      expect((await users.findById(user.id))?.toState()).toMatchObject({
        name: "New Name",
        tier: "PREMIUM",
        updatedAt: new Date(now.getTime() + 1000),
      });
    });

    it("refuses a save from a stale copy with CONCURRENT_MODIFICATION, and lets one instance save twice", async () => {
      const user = newUser();
      await users.create(user);
      const [fresh, stale] = await Promise.all([users.findByIdForWrite(user.id), users.findByIdForWrite(user.id)]);
      fresh!.changeTier("PREMIUM", now);
      await users.save(fresh!);
      // Its version moved with the row, so the same instance is not stale.
      fresh!.rename("Twice", now);
      await users.save(fresh!);
      stale!.changePasswordHash("stale hash", now);
      await expect(users.save(stale!)).rejects.toMatchObject({ code: "CONCURRENT_MODIFICATION", kind: "CONFLICT" });
      expect((await users.findByIdForWrite(user.id))?.toState()).toMatchObject({
        tier: "PREMIUM",
        name: "Twice",
        passwordHash: "hash",
        version: 3,
      });
    });

    it("answers USER_NOT_FOUND when saving a user that is not stored", async () => {
      await expect(users.save(newUser())).rejects.toMatchObject({ code: "USER_NOT_FOUND", kind: "NOT_FOUND" });
    });

    it("pages by (createdAt, id) even when timestamps tie", async () => {
      const tied = new Date("2020-01-01T00:00:00Z");
      const marker = `tie-${newId().slice(0, 6)}`;
      const created = [];
      for (let index = 0; index < 5; index += 1) {
        const user = newUser(`${marker}-${index}@example.com`, tied);
        await users.create(user);
        created.push(user.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await users.list({ email: marker }, { cursor, limit: 2 });
        seen.push(...page.items.map((user) => user.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...created].sort().reverse());
    });
  });

  describe("sessions", () => {
    const token = (hash: string) => ({ id: newId(), tokenHash: hash, expiresAt: new Date(now.getTime() + 60_000) });

    it("rotates a token exactly once under concurrency", async () => {
      const user = newUser();
      await users.create(user);
      const sessionId = newId();
      const first = token(`hash-${newId()}`);
      await sessions.createSession({ id: sessionId, userId: user.id, createdAt: now }, first);
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => sessions.rotate(first.id, sessionId, token(`hash-${newId()}`), now)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await sessions.findRefreshToken(first.tokenHash))?.rotatedAt).toEqual(now);
    });

    it("revokes one session, or all of a user's but one", async () => {
      const user = newUser();
      await users.create(user);
      const ids = [newId(), newId(), newId()];
      for (const id of ids) await sessions.createSession({ id, userId: user.id, createdAt: now }, token(`hash-${newId()}`));
      await sessions.revokeSession(ids[0]!, "logout", now);
      expect(await sessions.isSessionActive(ids[0]!, user.id)).toBe(false);
      expect(await sessions.revokeAllForUser(user.id, "password_changed", now, ids[2])).toBe(1);
      expect(await sessions.isSessionActive(ids[1]!, user.id)).toBe(false);
      expect(await sessions.isSessionActive(ids[2]!, user.id)).toBe(true);
      expect(await sessions.isSessionActive(ids[2]!, newId())).toBe(false);
    });
  });

  describe("API keys", () => {
    it("finds by hash, lists newest first, finds only the owner's key, and revokes once", async () => {
      const owner = newUser();
      const stranger = newUser();
      await users.create(owner);
      await users.create(stranger);
      const state = (createdAt: Date) => ({
        id: newId(),
        userId: owner.id,
        name: "k",
        prefix: `rb_live_${newId().slice(0, 8)}`,
        scopes: ["videos:read" as const],
        createdAt,
        lastUsedAt: null,
        revokedAt: null,
      });
      const older = state(new Date(now.getTime() - 1000));
      const newer = state(now);
      await keys.create(older, `hash-${older.id}`);
      await keys.create(newer, `hash-${newer.id}`);
      expect((await keys.findByHash(`hash-${older.id}`))?.id).toBe(older.id);
      expect((await keys.listByUser(owner.id)).map((key) => key.id)).toEqual([newer.id, older.id]);
      expect(await keys.findOwned(older.id, stranger.id)).toBeNull();
      const owned = await keys.findOwned(older.id, owner.id);
      if (!owned) throw new Error("the owner's key was not found");
      expect(owned.revoke(now)).toBe(true);
      expect(await keys.saveRevocation(owned)).toBe(true);
      // A second writer that loaded the key before the first revocation does not write again.
      expect(await keys.saveRevocation(owned)).toBe(false);
      expect((await keys.findByHash(`hash-${older.id}`))?.isRevoked).toBe(true);
      await keys.touchLastUsed(newer.id, now);
      expect((await keys.findByHash(`hash-${newer.id}`))?.toState().lastUsedAt).toEqual(now);
    });
  });

  describe("audit log", () => {
    it("records entries and filters by actor, action and time", async () => {
      const actorId = newId();
      await audit.record({
        actorId,
        action: "api_key.created",
        targetType: "api_key",
        targetId: "k1",
        metadata: { scopes: "videos:read" },
      });
      await audit.record({ actorId, action: "api_key.revoked", targetType: "api_key", targetId: "k1" });
      const all = await audit.list({ actorId }, { limit: 10 });
      expect(all.items.map((entry) => entry.action).sort()).toEqual(["api_key.created", "api_key.revoked"]);
      expect((await audit.list({ actorId, action: "api_key.created" }, { limit: 10 })).items[0]?.metadata).toEqual({
        scopes: "videos:read",
      });
      expect((await audit.list({ actorId, from: new Date(Date.now() + 60_000) }, { limit: 10 })).items).toEqual([]);
    });
  });

  describe("unit of work", () => {
    it("rolls back every write when one fails", async () => {
      const database = app.container.get<Database>(DATABASE);
      const user = newUser();
      await expect(
        database.transaction(async () => {
          await users.create(user);
          await users.create(newUser(user.email));
        }),
      ).rejects.toMatchObject({ code: "EMAIL_TAKEN" });
      expect(await users.findById(user.id)).toBeNull();
    });

    it("runs after-commit effects once the outermost transaction has committed, before it returns, and never after a rollback", async () => {
      const database = app.container.get<Database>(DATABASE);
      const seen: string[] = [];
      const effect = (user: User) => async () => {
        const visible = await database.prisma.user.count({ where: { id: user.id } });
        seen.push(`${user.name}: ${visible} row, in transaction ${database.inTransaction}`);
      };

      const committed = User.create({ email: Email.parse(uniqueEmail()), name: "committed", passwordHash: "hash", now });
      await database.transaction(async () => {
        await users.create(committed);
        // A nested unit of work joins the outer one, and so do its effects.
        await database.transaction(() => database.afterCommit(effect(committed)));
        seen.push("work done");
      });
      expect(seen).toEqual(["work done", "committed: 1 row, in transaction false"]);

      const rolledBack = User.create({ email: Email.parse(uniqueEmail()), name: "rolled back", passwordHash: "hash", now });
      await expect(
        database.transaction(async () => {
          await users.create(rolledBack);
          await database.afterCommit(effect(rolledBack));
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");

      const outside = User.create({ email: Email.parse(uniqueEmail()), name: "outside", passwordHash: "hash", now });
      await users.create(outside);
      await database.afterCommit(effect(outside));
      expect(seen).toEqual(["work done", "committed: 1 row, in transaction false", "outside: 1 row, in transaction false"]);
    });
  });
});
