import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { expectTrpcError } from "../support/errors.js";
import { PASSWORD, registerAdmin, registerUser } from "../support/users.js";

describe.each(backends())("admin procedures on %s", (backend) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;
  beforeAll(async () => {
    app = await createTestApp(backend);
    admin = await registerAdmin(app);
  });
  afterAll(() => app.close());

  it("refuses non-admins", async () => {
    const { bearer, user } = await registerUser(app);
    await expectTrpcError(app.caller(bearer).admin.users.list({}), "FORBIDDEN", "ADMIN_REQUIRED");
    await expectTrpcError(app.caller(bearer).admin.users.setRole({ id: user.id, role: "ADMIN" }), "FORBIDDEN", "ADMIN_REQUIRED");
  });

  it("lists users newest first across pages without gaps, and filters", async () => {
    const created = [];
    for (let index = 0; index < 5; index += 1) created.push(await registerUser(app, `page${index}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await app.caller(admin.bearer).admin.users.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const createdIds = created.map((entry) => entry.user.id).reverse();
    expect(seen.filter((id) => createdIds.includes(id))).toEqual(createdIds);
    const filtered = await app.caller(admin.bearer).admin.users.list({ email: created[2]!.email.toUpperCase() });
    expect(filtered.items.map((item) => item.id)).toEqual([created[2]!.user.id]);
    const admins = await app.caller(admin.bearer).admin.users.list({ role: "ADMIN" });
    expect(admins.items.every((item) => item.role === "ADMIN")).toBe(true);
    await expectTrpcError(app.caller(admin.bearer).admin.users.list({ cursor: "garbage" }), "BAD_REQUEST", "VALIDATION_FAILED");
  });

  it("changes role and tier with an audit row each", async () => {
    const { user, bearer } = await registerUser(app);
    await expect(app.caller(admin.bearer).admin.users.setTier({ id: user.id, tier: "PREMIUM" })).resolves.toMatchObject({
      tier: "PREMIUM",
    });
    await expect(app.caller(admin.bearer).admin.users.setRole({ id: user.id, role: "ADMIN" })).resolves.toMatchObject({
      role: "ADMIN",
    });
    // The promotion is effective immediately, without a new token.
    await expect(app.caller(bearer).admin.users.get({ id: user.id })).resolves.toMatchObject({ role: "ADMIN", tier: "PREMIUM" });
    const audit = await app.caller(admin.bearer).admin.audit.list({ actorId: admin.user.id });
    const actions = audit.items.filter((item) => item.targetId === user.id).map((item) => item.action);
    expect(actions).toEqual(["user.role_changed", "user.tier_changed"]);
    expect(audit.items.find((item) => item.action === "user.tier_changed")?.metadata).toEqual({ from: "FREE", to: "PREMIUM" });
  });

  it("disables a user: every credential is refused until re-enabled", async () => {
    const victim = await registerUser(app);
    const { key } = await app.caller(victim.bearer).apiKeys.create({ name: "k", scopes: ["videos:read"] });
    await app.caller(admin.bearer).admin.users.setDisabled({ id: victim.user.id, disabled: true });
    await expectTrpcError(app.caller(victim.bearer).auth.me(), "UNAUTHORIZED");
    await expectTrpcError(app.caller(`ApiKey ${key}`).auth.me(), "FORBIDDEN", "USER_DISABLED");
    await expectTrpcError(app.caller().auth.login({ email: victim.email, password: PASSWORD }), "FORBIDDEN", "USER_DISABLED");
    await expectTrpcError(app.caller().auth.refresh({ refreshToken: victim.refreshToken }), "UNAUTHORIZED");
    await app.caller(admin.bearer).admin.users.setDisabled({ id: victim.user.id, disabled: false });
    await expect(app.caller().auth.login({ email: victim.email, password: PASSWORD })).resolves.toBeTruthy();
  });

  it("does not let an admin demote or disable themselves", async () => {
    await expectTrpcError(
      app.caller(admin.bearer).admin.users.setRole({ id: admin.user.id, role: "USER" }),
      "UNPROCESSABLE_CONTENT",
      "CANNOT_CHANGE_OWN_ADMIN_STATUS",
    );
    await expectTrpcError(
      app.caller(admin.bearer).admin.users.setDisabled({ id: admin.user.id, disabled: true }),
      "UNPROCESSABLE_CONTENT",
      "CANNOT_CHANGE_OWN_ADMIN_STATUS",
    );
  });

  it("answers NOT_FOUND for an unknown user and audits sign-ups, failed logins and key events", async () => {
    await expectTrpcError(
      app.caller(admin.bearer).admin.users.get({ id: "00000000-0000-4000-8000-000000000000" }),
      "NOT_FOUND",
      "USER_NOT_FOUND",
    );
    const someone = await registerUser(app);
    await app
      .caller()
      .auth.login({ email: someone.email, password: "wrong password" })
      .catch(() => undefined);
    const key = await app.caller(someone.bearer).apiKeys.create({ name: "k", scopes: ["jobs:read"] });
    await app.caller(someone.bearer).apiKeys.revoke({ id: key.id });
    const audit = await app.caller(admin.bearer).admin.audit.list({ actorId: someone.user.id, limit: 100 });
    expect(audit.items.map((item) => item.action).sort()).toEqual([
      "api_key.created",
      "api_key.revoked",
      "auth.login_failed",
      "user.registered",
    ]);
    const failed = audit.items.find((item) => item.action === "auth.login_failed");
    expect(failed?.metadata).toEqual({ email: someone.email, reason: "bad_password" });
    expect(JSON.stringify(audit.items)).not.toContain("wrong password");
  });
});
