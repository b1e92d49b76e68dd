import { hash, verify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import type { AuditLog } from "../../server/src/modules/audit/application/audit-log.js";
import { LoginUseCase } from "../../server/src/modules/identity/application/login.use-case.js";
import type { SessionIssuer } from "../../server/src/modules/identity/application/session-issuer.js";
import type { UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { Argon2PasswordHasher, type Argon2Functions } from "../../server/src/modules/identity/infra/argon2.password-hasher.js";
import { ErrorCodes } from "../../server/src/shared/domain/error-codes.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";

// Cheap parameters: the limiter is under test, not argon2's cost.
const cheap = { memoryKib: 1024, timeCost: 1 };

/**
 * The real argon2 functions, wrapped to count the calls in progress (started, not yet settled)
 * and to snapshot the limiter each time one starts. Nothing here depends on timing: without a
 * limiter, calls started together are all in progress before the first one can settle.
 */
function observed() {
  const seen = { calls: 0, running: 0, maxRunning: 0, maxLimiterRunning: 0, maxWaiting: 0 };
  const holder: { hasher?: Argon2PasswordHasher } = {};
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    seen.calls++;
    seen.running++;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    const load = holder.hasher?.load;
    if (load) {
      seen.maxLimiterRunning = Math.max(seen.maxLimiterRunning, load.running);
      seen.maxWaiting = Math.max(seen.maxWaiting, load.waiting);
    }
    try {
      return await work();
    } finally {
      seen.running--;
    }
  };
  const functions: Argon2Functions = {
    hash: (...args) => track(() => hash(...args)),
    verify: (...args) => track(() => verify(...args)),
  };
  const make = (concurrency: number) => (holder.hasher = new Argon2PasswordHasher({ ...cheap, concurrency }, functions));
  return { seen, make };
}

describe("Argon2PasswordHasher", () => {
  it("with concurrency 1 runs one hash or verify at a time, and every answer is still right", async () => {
    const stored = await new Argon2PasswordHasher({ ...cheap, concurrency: 1 }).hash("right-password");
    const { seen, make } = observed();
    const hasher = make(1);

    const [hashes, verdicts] = await Promise.all([
      Promise.all(["a-password-1", "a-password-2", "a-password-3", "a-password-4"].map((password) => hasher.hash(password))),
      Promise.all([
        hasher.verify(stored, "right-password"),
        hasher.verify(stored, "wrong-password"),
        hasher.verify("not-an-argon2-hash", "right-password"), // rejects inside the limiter: must free its slot
        hasher.verify(stored, "right-password"),
        hasher.verify(stored, ""),
      ]),
    ]);

    expect(seen.calls).toBe(9);
    expect(seen.maxRunning).toBe(1);
    expect(seen.maxLimiterRunning).toBe(1);
    expect(seen.maxWaiting).toBeGreaterThan(0); // they really were started together and queued
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
    expect(verdicts).toEqual([true, false, false, true, false]);
    expect(new Set(hashes).size).toBe(4);
    for (const [index, produced] of hashes.entries()) {
      expect(produced).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      expect(await verify(produced, `a-password-${index + 1}`)).toBe(true);
      expect(await verify(produced, "a-password-0")).toBe(false);
    }
  });

  it("lets exactly the configured number run together (the counter above can see overlap)", async () => {
    const { seen, make } = observed();
    const hasher = make(3);
    const hashes = await Promise.all(Array.from({ length: 9 }, (_, index) => hasher.hash(`password-${index}`)));
    expect(seen.calls).toBe(9);
    expect(seen.maxRunning).toBe(3);
    expect(await Promise.all(hashes.map((produced, index) => hasher.verify(produced, `password-${index}`)))).toEqual(
      Array.from({ length: 9 }, () => true),
    );
    expect(seen.maxRunning).toBe(3);
  });

  it("makes a login for an unknown email spend a verify in the same line as real logins", async () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const { seen, make } = observed();
    const hasher = make(1);
    const known = User.create({
      email: Email.parse("known@example.com"),
      passwordHash: await hash("known-password-1", { memoryCost: 1024, timeCost: 1 }),
      now,
    });
    const users = {
      findByEmail: async (email: string) => (email === "known@example.com" ? known : null),
    } as unknown as UserRepository;
    const audit = { record: async () => undefined } as unknown as AuditLog;
    const sessions = {
      start: async () => ({ accessToken: "a", accessTokenExpiresAt: now, refreshToken: "r" }),
    } as unknown as SessionIssuer;
    const login = new LoginUseCase(users, hasher, audit, sessions);
    const code = (attempt: Promise<unknown>) =>
      attempt.then(
        () => "OK",
        (error: unknown) => (error instanceof DomainError ? error.code : "OTHER"),
      );

    const outcomes = await Promise.all([
      code(login.execute({ email: "nobody-1@example.com", password: "known-password-1" })),
      code(login.execute({ email: "known@example.com", password: "known-password-1" })),
      code(login.execute({ email: "nobody-2@example.com", password: "whatever-password" })),
      code(login.execute({ email: "known@example.com", password: "wrong-password-1" })),
      code(login.execute({ email: "nobody-3@example.com", password: "whatever-password" })),
    ]);

    const refused = ErrorCodes.INVALID_CREDENTIALS;
    expect(outcomes).toEqual([refused, "OK", refused, refused, refused]);
    // 5 verifies (one per login, known or not) + the one dummy hash the unknown emails share.
    expect(seen.calls).toBe(6);
    expect(seen.maxRunning).toBe(1);
  });
});
