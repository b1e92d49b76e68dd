import type { Newable } from "inversify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { ChangePasswordUseCase } from "../../server/src/modules/identity/application/change-password.use-case.js";
import { ChangeUserByAdminUseCase } from "../../server/src/modules/identity/application/change-user-by-admin.use-case.js";
import { PASSWORD_HASHER, type PasswordHasher } from "../../server/src/modules/identity/application/password-hasher.js";
import { DeleteVideoUseCase } from "../../server/src/modules/videos/application/delete-video.use-case.js";
import { UpdateVideoUseCase } from "../../server/src/modules/videos/application/update-video.use-case.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "../../server/src/modules/videos/application/video.repository.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../server/src/shared/application/unit-of-work.js";
import { expectTrpcError } from "../support/errors.js";
import { holdNextCall, inFlight } from "../support/hold.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { PASSWORD, registerAdmin, registerUser } from "../support/users.js";

const NEW_PASSWORD = "a brand new passphrase";

/**
 * Two real requests through createCaller, one parked between its load and its save (see
 * holdNextCall) while the other runs whole: the exact overlap that used to lose a write. Each
 * test checks the database afterwards, not the responses, because a lost update answers 200.
 */
describe.each(backends())("concurrent writes on %s", (backend) => {
  let app: TestApp;
  let db: Database;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;

  beforeAll(async () => {
    app = await createTestApp(backend, { PUBLIC_URL: "http://127.0.0.1:9" });
    db = app.container.get<Database>(DATABASE);
    admin = await registerAdmin(app);
  });
  afterAll(() => app.close());

  let snapshotTaken = false;
  const hold = <T extends object>(...args: Parameters<typeof holdNextCall<T>>) => {
    app.container.snapshot();
    snapshotTaken = true;
    return holdNextCall<T>(...args);
  };
  /**
   * Holds a use case after its load, where it opens the unit of work that saves. Not inside it:
   * PGlite has one connection, so a held transaction would stall the competing request.
   */
  const holdBeforeTransaction = (useCase: Newable<object>) => hold<UnitOfWork>(app.container, UNIT_OF_WORK, "run", [useCase]);
  afterEach(() => {
    if (snapshotTaken) app.container.restore();
    snapshotTaken = false;
  });

  const storedUser = (id: string) => db.prisma.user.findUniqueOrThrow({ where: { id } });
  const storedVideo = (id: string) => db.prisma.video.findUniqueOrThrow({ where: { id } });
  const login = (email: string, password: string) => app.caller().auth.login({ email, password });
  const setDisabled = (id: string, disabled: boolean) => app.caller(admin.bearer).admin.users.setDisabled({ id, disabled });
  const setTier = (id: string, tier: "FREE" | "PREMIUM") => app.caller(admin.bearer).admin.users.setTier({ id, tier });

  describe("changePassword against an admin's setDisabled", () => {
    it("a password change that loaded the user before the disable fails with 409; the user stays disabled", async () => {
      const victim = await registerUser(app, "victim");
      // Held while hashing the new password: after it loaded the user, before it saves.
      const held = hold<PasswordHasher>(app.container, PASSWORD_HASHER, "hash", [ChangePasswordUseCase]);
      const change = inFlight(
        app.caller(victim.bearer).users.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      );
      await held.reached;
      await setDisabled(victim.user.id, true);
      held.release();

      await expectTrpcError(change, "CONFLICT", "CONCURRENT_MODIFICATION");
      expect((await storedUser(victim.user.id)).disabled).toBe(true);
      // The old password is still the one: right password, disabled account.
      await expectTrpcError(login(victim.email, PASSWORD), "FORBIDDEN", "USER_DISABLED");
      await expectTrpcError(login(victim.email, NEW_PASSWORD), "UNAUTHORIZED", "INVALID_CREDENTIALS");
    });

    it("a disable that loaded the user before the password change fails with 409; its retry disables, the new password stays", async () => {
      const victim = await registerUser(app, "victim");
      const held = holdBeforeTransaction(ChangeUserByAdminUseCase);
      const disable = inFlight(setDisabled(victim.user.id, true));
      await held.reached;
      await app.caller(victim.bearer).users.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
      held.release();

      await expectTrpcError(disable, "CONFLICT", "CONCURRENT_MODIFICATION");
      // What ADR 0008 tells clients: reload and retry.
      await setDisabled(victim.user.id, true);
      expect((await storedUser(victim.user.id)).disabled).toBe(true);
      await expectTrpcError(login(victim.email, NEW_PASSWORD), "FORBIDDEN", "USER_DISABLED");
      await expectTrpcError(login(victim.email, PASSWORD), "UNAUTHORIZED", "INVALID_CREDENTIALS");
    });
  });

  describe("two admin changes to one user", () => {
    it("setRole that loaded before a setTier fails with 409 instead of writing the old tier back", async () => {
      const { user } = await registerUser(app, "target");
      const held = holdBeforeTransaction(ChangeUserByAdminUseCase);
      const promote = inFlight(app.caller(admin.bearer).admin.users.setRole({ id: user.id, role: "ADMIN" }));
      await held.reached;
      await setTier(user.id, "PREMIUM");
      held.release();

      await expectTrpcError(promote, "CONFLICT", "CONCURRENT_MODIFICATION");
      expect(await storedUser(user.id)).toMatchObject({ tier: "PREMIUM", role: "USER" });
    });

    it("setDisabled that loaded before a setTier fails with 409; after its retry both changes are there", async () => {
      const { user } = await registerUser(app, "target");
      const held = holdBeforeTransaction(ChangeUserByAdminUseCase);
      const disable = inFlight(setDisabled(user.id, true));
      await held.reached;
      await setTier(user.id, "PREMIUM");
      held.release();

      await expectTrpcError(disable, "CONFLICT", "CONCURRENT_MODIFICATION");
      expect(await storedUser(user.id)).toMatchObject({ tier: "PREMIUM", disabled: false });
      await setDisabled(user.id, true);
      expect(await storedUser(user.id)).toMatchObject({ tier: "PREMIUM", disabled: true });
    });

    it("unsynchronized: every change that answered OK is in the row, every other one answered 409", async () => {
      for (let round = 0; round < 5; round += 1) {
        const { user } = await registerUser(app, `free-race-${round}`);
        const [role, tier] = await Promise.allSettled([
          app.caller(admin.bearer).admin.users.setRole({ id: user.id, role: "ADMIN" }),
          setTier(user.id, "PREMIUM"),
        ]);
        const row = await storedUser(user.id);
        expect(row.role).toBe(role.status === "fulfilled" ? "ADMIN" : "USER");
        expect(row.tier).toBe(tier.status === "fulfilled" ? "PREMIUM" : "FREE");
        for (const loser of [role, tier]) {
          if (loser.status === "rejected") {
            await expectTrpcError(Promise.reject(loser.reason), "CONFLICT", "CONCURRENT_MODIFICATION");
          }
        }
      }
    });
  });

  describe("videos.update against videos.delete", () => {
    const videos = () => app.caller(admin.bearer).videos;

    it("an update that loaded the video before the delete gets 404 and does not resurrect it", async () => {
      const { id } = await videos().create({ title: "before" });
      const held = hold<VideoRepository>(app.container, VIDEO_REPOSITORY, "save", [UpdateVideoUseCase]);
      const update = inFlight(videos().update({ id, title: "after" }));
      await held.reached;
      await videos().delete({ id });
      held.release();

      await expectTrpcError(update, "NOT_FOUND", "VIDEO_NOT_FOUND");
      expect(await storedVideo(id)).toMatchObject({ title: "before", deletedAt: expect.any(Date) });
      await expectTrpcError(videos().get({ id }), "NOT_FOUND", "VIDEO_NOT_FOUND");
    });

    it("a delete that loaded the video before an update still deletes it", async () => {
      const { id } = await videos().create({ title: "before" });
      const held = holdBeforeTransaction(DeleteVideoUseCase);
      const removal = inFlight(videos().delete({ id }));
      await held.reached;
      await videos().update({ id, title: "after" });
      held.release();

      await expect(removal).resolves.toEqual({ ok: true });
      expect(await storedVideo(id)).toMatchObject({ title: "after", deletedAt: expect.any(Date) });
      await expectTrpcError(videos().update({ id, title: "again" }), "NOT_FOUND", "VIDEO_NOT_FOUND");
    });

    it("unsynchronized: the video always ends deleted; an update that lost answered 404", async () => {
      for (let round = 0; round < 5; round += 1) {
        const { id } = await videos().create({ title: `race ${round}` });
        const [update, removal] = await Promise.allSettled([videos().update({ id, title: "edited" }), videos().delete({ id })]);
        expect(removal.status).toBe("fulfilled");
        const row = await storedVideo(id);
        expect(row.deletedAt).not.toBeNull();
        if (update.status === "fulfilled") expect(row.title).toBe("edited");
        else await expectTrpcError(Promise.reject(update.reason), "NOT_FOUND", "VIDEO_NOT_FOUND");
      }
    });
  });
});
