import { describe, expect, it } from "vitest";
import type { AppConfig } from "../../server/src/config/config.js";
import type { AuditLog } from "../../server/src/modules/audit/application/audit-log.js";
import type { AuditEntry } from "../../server/src/modules/audit/domain/audit-action.js";
import type { AccessTokens } from "../../server/src/modules/identity/application/access-tokens.js";
import { hashOpaqueToken } from "../../server/src/modules/identity/application/opaque-tokens.js";
import { RefreshSessionUseCase } from "../../server/src/modules/identity/application/refresh-session.use-case.js";
import { SessionIssuer } from "../../server/src/modules/identity/application/session-issuer.js";
import type { SessionRepository, StoredRefreshToken } from "../../server/src/modules/identity/application/session.repository.js";
import type { UserRepository } from "../../server/src/modules/identity/application/user.repository.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";

const now = new Date("2026-11-21T12:00:00Z");
const clock = { now: () => now };
const config = { auth: { refreshTokenTtlDays: 7 } } as AppConfig;
const accessTokens: AccessTokens = {
  issue: async ({ userId }) => ({ token: `access-for-${userId}`, expiresAt: now }),
  verify: async () => ({ userId: "", sessionId: "" }),
};

/** Fakes of the ports, so the reuse rule is checked with no database at all. */
function setup(token: Partial<StoredRefreshToken>, rotateWins = true) {
  const user = User.create({ email: Email.parse("u@example.com"), passwordHash: "h", now });
  const stored: StoredRefreshToken = {
    id: "t1",
    sessionId: "s1",
    userId: user.id,
    expiresAt: new Date(now.getTime() + 1000),
    rotatedAt: null,
    sessionRevokedAt: null,
    ...token,
  };
  const revoked: string[] = [];
  const audited: AuditEntry[] = [];
  const sessions = {
    findRefreshToken: async (hash: string) => (hash === hashOpaqueToken("presented") ? stored : null),
    rotate: async () => rotateWins,
    revokeSession: async (sessionId: string) => void revoked.push(sessionId),
  } as unknown as SessionRepository;
  const users = { findById: async (id: string) => (id === user.id ? user : null) } as unknown as UserRepository;
  const audit = { record: async (entry: AuditEntry) => void audited.push(entry) } as unknown as AuditLog;
  const issuer = new SessionIssuer(sessions, accessTokens, clock, config);
  const useCase = new RefreshSessionUseCase(sessions, users, audit, clock, issuer);
  return { useCase, revoked, audited, user };
}

async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof DomainError ? error.code : "OTHER"),
  );
}

describe("RefreshSessionUseCase", () => {
  it("rotates a valid token into a new pair", async () => {
    const { useCase, revoked, user } = setup({});
    const pair = await useCase.execute({ refreshToken: "presented" });
    expect(pair.accessToken).toBe(`access-for-${user.id}`);
    expect(pair.refreshToken).not.toBe("presented");
    expect(revoked).toEqual([]);
  });

  it("revokes the family and audits when a rotated token comes back", async () => {
    const { useCase, revoked, audited } = setup({ rotatedAt: now });
    expect(await failureCode(useCase.execute({ refreshToken: "presented" }))).toBe("REFRESH_TOKEN_REUSED");
    expect(revoked).toEqual(["s1"]);
    expect(audited.map((entry) => entry.action)).toEqual(["auth.refresh_reused"]);
  });

  it("treats losing a concurrent rotation as reuse", async () => {
    const { useCase, revoked } = setup({}, false);
    expect(await failureCode(useCase.execute({ refreshToken: "presented" }))).toBe("REFRESH_TOKEN_REUSED");
    expect(revoked).toEqual(["s1"]);
  });

  it("refuses unknown and expired tokens without revoking anything", async () => {
    const { useCase, revoked } = setup({ expiresAt: now });
    expect(await failureCode(useCase.execute({ refreshToken: "unknown" }))).toBe("INVALID_REFRESH_TOKEN");
    expect(await failureCode(useCase.execute({ refreshToken: "presented" }))).toBe("INVALID_REFRESH_TOKEN");
    expect(revoked).toEqual([]);
  });
});
