import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { CREDIT_LEDGER, type CreditLedger } from "../../server/src/modules/billing/application/credit-ledger.js";
import { NEW_USER_HOOK, type NewUserHook } from "../../server/src/modules/identity/application/new-user-hook.js";
import { USER_REPOSITORY, type UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../server/src/shared/application/unit-of-work.js";
import { newId } from "../../server/src/shared/domain/ids.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser, uniqueEmail } from "../support/users.js";

/** The real ledger on a real database: the invariants must hold under any interleaving. */
describe.each(backends())("credit ledger on %s", (backend) => {
  let app: TestApp;
  let ledger: CreditLedger;
  let db: Database;
  beforeAll(async () => {
    app = await createTestApp(backend);
    ledger = app.container.get<CreditLedger>(CREDIT_LEDGER);
    db = app.container.get<Database>(DATABASE);
  });
  afterAll(() => app.close());

  const newUser = async () => (await registerUser(app, "ledger")).user.id;
  const entriesOf = (userId: string) => db.prisma.creditEntry.findMany({ where: { userId }, orderBy: { seq: "asc" } });

  /** seq 1..n without gaps, each balance_after the previous plus its amount, never negative, ending at the balance. */
  async function expectConsistent(userId: string): Promise<void> {
    const entries = await entriesOf(userId);
    let balance = 0;
    entries.forEach((entry, index) => {
      expect(entry.seq).toBe(index + 1);
      balance += entry.amount;
      expect(entry.balanceAfter).toBe(balance);
      expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    });
    await expect(ledger.balanceOf(userId)).resolves.toBe(balance);
  }

  it("200 concurrent charges of 6 against 30: exactly 5 succeed and the balance ends at 0", async () => {
    const userId = await newUser();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => ledger.charge({ userId, amount: 6, jobId: newId(), run: 1 })),
    );
    const succeeded = results.filter((result) => result.status === "fulfilled");
    const failed = results.filter((result) => result.status === "rejected");
    expect(succeeded).toHaveLength(5);
    expect(failed.map((result) => result.reason?.code)).toEqual(Array(195).fill("INSUFFICIENT_CREDITS"));
    expect(succeeded.map((result) => result.value.balanceAfter).sort((a, b) => b - a)).toEqual([24, 18, 12, 6, 0]);
    await expect(ledger.balanceOf(userId)).resolves.toBe(0);
    const charges = (await entriesOf(userId)).filter((entry) => entry.kind === "CHARGE");
    expect(charges.map((entry) => entry.balanceAfter)).toEqual([24, 18, 12, 6, 0]);
    await expectConsistent(userId);
  });

  it("50 concurrent refunds of one job: one REFUND entry, one increment", async () => {
    const userId = await newUser();
    const jobId = newId();
    await ledger.charge({ userId, amount: 8, jobId, run: 1 });
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.refund({ jobId, run: 1, reason: "failed" })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const refunds = (await entriesOf(userId)).filter((entry) => entry.kind === "REFUND");
    expect(refunds).toMatchObject([{ amount: 8, balanceAfter: 30, jobId, reason: "failed" }]);
    await expect(ledger.refund({ jobId, run: 1, reason: "again" })).resolves.toBe(false);
    await expectConsistent(userId);
  });

  it("charges and refunds each run of a job on its own, once each", async () => {
    const userId = await newUser();
    const jobId = newId();
    await ledger.charge({ userId, amount: 5, jobId, run: 1 });
    await expect(ledger.refund({ jobId, run: 1, reason: "failed" })).resolves.toBe(true);
    await ledger.charge({ userId, amount: 5, jobId, run: 2 });
    await expect(ledger.charge({ userId, amount: 5, jobId, run: 2 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(ledger.refund({ jobId, run: 1, reason: "again" })).resolves.toBe(false);
    expect(await ledger.balanceOf(userId)).toBe(25);
    await expect(ledger.refund({ jobId, run: 2, reason: "failed" })).resolves.toBe(true);
    expect(await ledger.balanceOf(userId)).toBe(30);
    await expectConsistent(userId);
  });

  it("refunds nothing for a job that was never charged", async () => {
    const userId = await newUser();
    await expect(ledger.refund({ jobId: newId(), run: 1, reason: "failed" })).resolves.toBe(false);
    await expectConsistent(userId);
  });

  it("interleaved charges, refunds and grants keep sum(amount) = balance and an exact balance_after chain", async () => {
    const userId = await newUser();
    const jobs = Array.from({ length: 40 }, (_, index) => ({ jobId: newId(), amount: (index % 7) + 1 }));
    const work: Promise<unknown>[] = [];
    for (const [index, job] of jobs.entries()) {
      work.push(ledger.charge({ userId, ...job, run: 1 }));
      work.push(ledger.refund({ jobId: job.jobId, run: 1, reason: "cancelled" }));
      if (index % 3 === 0) work.push(ledger.refund({ jobId: job.jobId, run: 1, reason: "failed" }));
      if (index % 5 === 0) work.push(ledger.grant({ userId, amount: 4, kind: "ADMIN_GRANT", actorId: newId(), reason: "gift" }));
    }
    const results = await Promise.allSettled(work);
    const unexpected = results.filter((result) => result.status === "rejected" && result.reason?.code !== "INSUFFICIENT_CREDITS");
    expect(unexpected).toEqual([]);
    // A job that was charged after its refunds ran may still be charged: refund it now, twice.
    for (const job of jobs) {
      await ledger.refund({ jobId: job.jobId, run: 1, reason: "late" });
      await expect(ledger.refund({ jobId: job.jobId, run: 1, reason: "late" })).resolves.toBe(false);
    }
    const entries = await entriesOf(userId);
    const charged = entries.filter((entry) => entry.kind === "CHARGE").map((entry) => entry.jobId);
    const refunded = entries.filter((entry) => entry.kind === "REFUND").map((entry) => entry.jobId);
    expect(new Set(charged).size).toBe(charged.length);
    expect([...refunded].sort()).toEqual([...charged].sort());
    // Every charge came back: the balance is the sign-up grant plus the 8 gifts.
    await expect(ledger.balanceOf(userId)).resolves.toBe(30 + 8 * 4);
    await expectConsistent(userId);
  });

  it("charges inside the caller's unit of work: a rollback there leaves no trace", async () => {
    const userId = await newUser();
    const unitOfWork = app.container.get<UnitOfWork>(UNIT_OF_WORK);
    const failure = unitOfWork.run(async () => {
      await ledger.charge({ userId, amount: 10, jobId: newId(), run: 1 });
      throw new Error("the job could not be created");
    });
    await expect(failure).rejects.toThrow("the job could not be created");
    await expect(ledger.balanceOf(userId)).resolves.toBe(30);
    await expect(entriesOf(userId)).resolves.toHaveLength(1);
  });

  it("refuses a short balance and a second charge of one job, writing nothing", async () => {
    const userId = await newUser();
    const jobId = newId();
    await expect(ledger.charge({ userId, amount: 31, jobId, run: 1 })).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    await ledger.charge({ userId, amount: 5, jobId, run: 1 });
    await expect(ledger.charge({ userId, amount: 5, jobId, run: 1 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(ledger.charge({ userId: newId(), amount: 1, jobId: newId(), run: 1 })).rejects.toMatchObject({
      code: "INSUFFICIENT_CREDITS",
    });
    await expect(ledger.balanceOf(userId)).resolves.toBe(25);
    await expectConsistent(userId);
  });

  it("the database refuses a negative balance and a wrongly signed entry, whatever the code does", async () => {
    const userId = await newUser();
    await expect(db.prisma.$executeRaw`UPDATE credit_accounts SET balance = -1 WHERE user_id = ${userId}::uuid`).rejects.toThrow(
      /credit_accounts_balance_check/,
    );
    await expect(
      db.prisma.$executeRaw`UPDATE credit_entries SET amount = -amount WHERE user_id = ${userId}::uuid`,
    ).rejects.toThrow(/credit_entries_amount_sign_check/);
    await expectConsistent(userId);
  });

  it("grants 300 to an account created PREMIUM, in the transaction that creates it", async () => {
    const users = app.container.get<UserRepository>(USER_REPOSITORY);
    const hooks = app.container.getAll<NewUserHook>(NEW_USER_HOOK);
    const user = User.create({ email: Email.parse(uniqueEmail("premium")), passwordHash: "x", tier: "PREMIUM", now: new Date() });
    await app.container.get<UnitOfWork>(UNIT_OF_WORK).run(async () => {
      await users.create(user);
      for (const hook of hooks) await hook.onUserCreated({ id: user.id, tier: user.tier });
    });
    await expect(ledger.balanceOf(user.id)).resolves.toBe(300);
    await expectConsistent(user.id);
  });
});
