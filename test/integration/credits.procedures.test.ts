import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREDIT_LEDGER, type CreditLedger } from "../../server/src/modules/billing/application/credit-ledger.js";
import { BootstrapAdminUseCase } from "../../server/src/modules/identity/application/bootstrap-admin.use-case.js";
import { newId } from "../../server/src/shared/domain/ids.js";
import { expectTrpcError } from "../support/errors.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { PASSWORD, registerAdmin, registerUser, uniqueEmail } from "../support/users.js";

describe.each(backends())("credits procedures on %s", (backend) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;
  let ledger: CreditLedger;
  beforeAll(async () => {
    app = await createTestApp(backend);
    admin = await registerAdmin(app);
    ledger = app.container.get<CreditLedger>(CREDIT_LEDGER);
  });
  afterAll(() => app.close());

  it("grants 30 at sign-up, as one GRANT entry", async () => {
    const { bearer } = await registerUser(app);
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 30 });
    const { items, nextCursor } = await app.caller(bearer).credits.ledger({});
    expect(nextCursor).toBeNull();
    expect(items).toEqual([
      {
        id: expect.any(String),
        kind: "GRANT",
        amount: 30,
        balanceAfter: 30,
        jobId: null,
        reason: "sign-up grant",
        createdAt: expect.stringMatching(/Z$/),
      },
    ]);
  });

  it("grants a bootstrapped administrator too (the admin:create path)", async () => {
    const { user, created } = await app.container
      .get(BootstrapAdminUseCase)
      .execute({ email: uniqueEmail("boot"), password: PASSWORD });
    expect(created).toBe(true);
    await expect(ledger.balanceOf(user.id)).resolves.toBe(30);
  });

  it("grants by the tier at sign-up: a later upgrade to PREMIUM grants nothing", async () => {
    const { bearer, user } = await registerUser(app);
    await app.caller(admin.bearer).admin.users.setTier({ id: user.id, tier: "PREMIUM" });
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 30 });
  });

  it("lists the ledger newest first across pages, with signed amounts and job ids", async () => {
    const { bearer, user } = await registerUser(app);
    const jobId = newId();
    app.clock.advance(1_000);
    await ledger.charge({ userId: user.id, amount: 4, jobId, run: 1 });
    app.clock.advance(1_000);
    await ledger.refund({ jobId, run: 1, reason: "job failed" });
    for (let index = 1; index <= 3; index += 1) {
      app.clock.advance(1_000);
      await app.caller(admin.bearer).admin.users.grantCredits({ userId: user.id, amount: index, reason: `gift ${index}` });
    }
    const seen = [];
    let cursor: string | undefined;
    do {
      const page = await app.caller(bearer).credits.ledger({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((entry) => [entry.kind, entry.amount, entry.balanceAfter, entry.jobId, entry.reason])).toEqual([
      ["ADMIN_GRANT", 3, 36, null, "gift 3"],
      ["ADMIN_GRANT", 2, 33, null, "gift 2"],
      ["ADMIN_GRANT", 1, 31, null, "gift 1"],
      ["REFUND", 4, 30, jobId, "job failed"],
      ["CHARGE", -4, 26, jobId, null],
      ["GRANT", 30, 30, null, "sign-up grant"],
    ]);
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 36 });
  });

  it("never shows one user's entries to another (IDOR)", async () => {
    const alice = await registerUser(app, "alice");
    const bob = await registerUser(app, "bob");
    await app.caller(admin.bearer).admin.users.grantCredits({ userId: alice.user.id, amount: 7 });
    await ledger.charge({ userId: alice.user.id, amount: 1, jobId: newId(), run: 1 });
    const bobs = await app.caller(bob.bearer).credits.ledger({ limit: 100 });
    expect(bobs.items.map((entry) => entry.kind)).toEqual(["GRANT"]);
    await expect(app.caller(bob.bearer).credits.balance()).resolves.toEqual({ balance: 30 });
    // A cursor taken from Alice's ledger only positions Bob's own list; it cannot select her rows.
    const alicePage = await app.caller(alice.bearer).credits.ledger({ limit: 1 });
    const withHerCursor = await app.caller(bob.bearer).credits.ledger({ cursor: alicePage.nextCursor! });
    expect(withHerCursor.items.every((entry) => !alicePage.items.some((mine) => mine.id === entry.id))).toBe(true);
    expect(withHerCursor.items.map((entry) => entry.kind)).toEqual(["GRANT"]);
  });

  it("grantCredits is audited and returns the new balance", async () => {
    const { user } = await registerUser(app);
    await expect(
      app.caller(admin.bearer).admin.users.grantCredits({ userId: user.id, amount: 70, reason: "  support ticket 42 " }),
    ).resolves.toEqual({ balance: 100 });
    const audit = await app.caller(admin.bearer).admin.audit.list({ action: "credits.granted", actorId: admin.user.id });
    const row = audit.items.find((item) => item.targetId === user.id);
    expect(row).toMatchObject({ targetType: "user", metadata: { amount: 70, balanceAfter: 100, reason: "support ticket 42" } });
  });

  it("grantCredits is for administrators with a session only", async () => {
    const { bearer, user } = await registerUser(app);
    await expectTrpcError(
      app.caller(bearer).admin.users.grantCredits({ userId: user.id, amount: 5 }),
      "FORBIDDEN",
      "ADMIN_REQUIRED",
    );
    const { key } = await app.caller(admin.bearer).apiKeys.create({ name: "k", scopes: ["videos:read", "jobs:write"] });
    await expectTrpcError(
      app.caller(`ApiKey ${key}`).admin.users.grantCredits({ userId: user.id, amount: 5 }),
      "FORBIDDEN",
      "API_KEY_NOT_ALLOWED",
    );
    await expectTrpcError(app.caller().admin.users.grantCredits({ userId: user.id, amount: 5 }), "UNAUTHORIZED");
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 30 });
  });

  it("credits.* need a session: API keys are refused, anonymous callers are 401", async () => {
    const { bearer } = await registerUser(app);
    const { key } = await app.caller(bearer).apiKeys.create({ name: "k", scopes: ["videos:read", "jobs:read"] });
    await expectTrpcError(app.caller(`ApiKey ${key}`).credits.balance(), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(app.caller(`ApiKey ${key}`).credits.ledger({}), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(app.caller().credits.balance(), "UNAUTHORIZED");
    await expectTrpcError(app.caller().credits.ledger({}), "UNAUTHORIZED");
  });

  it("validates input: amounts, user ids, cursors, limits", async () => {
    const { user, bearer } = await registerUser(app);
    const grant = (input: Record<string, unknown>) =>
      app.caller(admin.bearer).admin.users.grantCredits({ userId: user.id, amount: 1, ...input } as never);
    for (const amount of [0, -5, 1.5, 1_000_001, Number.MAX_SAFE_INTEGER, "10"]) {
      const error = await expectTrpcError(grant({ amount }), "BAD_REQUEST", "VALIDATION_FAILED");
      expect(error.cause).toBeTruthy();
    }
    await expectTrpcError(grant({ userId: "not-a-uuid" }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(grant({ reason: "x".repeat(501) }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(grant({ userId: newId() }), "NOT_FOUND", "USER_NOT_FOUND");
    await expectTrpcError(app.caller(bearer).credits.ledger({ cursor: "garbage" }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(app.caller(bearer).credits.ledger({ limit: 0 }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expectTrpcError(app.caller(bearer).credits.ledger({ limit: 101 }), "BAD_REQUEST", "VALIDATION_FAILED");
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 30 });
  });

  it("refuses a grant that would push the balance past the limit, writing nothing", async () => {
    const { user, bearer } = await registerUser(app);
    await ledger.grant({ userId: user.id, amount: 999_999_000, kind: "GRANT" });
    await expectTrpcError(
      app.caller(admin.bearer).admin.users.grantCredits({ userId: user.id, amount: 1_000 }),
      "UNPROCESSABLE_CONTENT",
      "BUSINESS_RULE_VIOLATED",
    );
    await expect(app.caller(bearer).credits.balance()).resolves.toEqual({ balance: 999_999_030 });
    const audit = await app.caller(admin.bearer).admin.audit.list({ action: "credits.granted" });
    expect(audit.items.some((item) => item.targetId === user.id)).toBe(false);
  });
});
