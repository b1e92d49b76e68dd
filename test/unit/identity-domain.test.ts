import { describe, expect, it } from "vitest";
import { API_KEY_LAST_USED_GRANULARITY_MS, ApiKey } from "../../server/src/modules/identity/domain/api-key.entity.js";
import { Email } from "../../server/src/modules/identity/domain/email.vo.js";
import { assertAcceptablePassword } from "../../server/src/modules/identity/domain/password-policy.js";
import { assessRefreshToken } from "../../server/src/modules/identity/domain/refresh-token.js";
import { User } from "../../server/src/modules/identity/domain/user.entity.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";

const now = new Date("2026-11-21T12:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : "NOT_A_DOMAIN_ERROR";
  }
}

describe("Email", () => {
  it("trims and lower-cases, so comparisons ignore case", () => {
    expect(Email.parse("  Ada@Example.COM ").value).toBe("ada@example.com");
  });
  it.each(["", "no-at-sign", "a@b", "a b@c.de", `${"x".repeat(250)}@e.com`])("refuses %j", (raw) => {
    expect(codeOf(() => Email.parse(raw))).toBe("VALIDATION_FAILED");
  });
});

describe("password policy", () => {
  it("asks for 10 to 256 characters", () => {
    expect(codeOf(() => assertAcceptablePassword("123456789"))).toBe("PASSWORD_TOO_WEAK");
    expect(codeOf(() => assertAcceptablePassword("1234567890"))).toBeUndefined();
    expect(codeOf(() => assertAcceptablePassword("x".repeat(257)))).toBe("PASSWORD_TOO_WEAK");
  });
});

describe("User", () => {
  const make = (role: "USER" | "ADMIN" = "USER") =>
    User.create({ email: Email.parse("u@example.com"), passwordHash: "h", now, role });

  it("is born active, as a FREE user, with a blank name stored as null", () => {
    const user = User.create({ email: Email.parse("u@example.com"), name: "   ", passwordHash: "h", now });
    expect(user.toState()).toMatchObject({
      role: "USER",
      tier: "FREE",
      disabled: false,
      name: null,
      createdAt: now,
      updatedAt: now,
    });
  });

  it("refuses a disabled account everywhere through assertActive", () => {
    const admin = make("ADMIN");
    const user = make();
    user.setDisabled(true, admin, later(1));
    expect(codeOf(() => user.assertActive())).toBe("USER_DISABLED");
    expect(user.toState().updatedAt).toEqual(later(1));
  });

  it("does not let an administrator demote or disable themselves", () => {
    const admin = make("ADMIN");
    expect(codeOf(() => admin.changeRole("USER", admin, now))).toBe("CANNOT_CHANGE_OWN_ADMIN_STATUS");
    expect(codeOf(() => admin.setDisabled(true, admin, now))).toBe("CANNOT_CHANGE_OWN_ADMIN_STATUS");
    expect(admin.role).toBe("ADMIN");
  });

  it("exposes a copy of its state, not the state itself", () => {
    const user = make();
    const state = user.toState() as { name: string | null };
    state.name = "mutated";
    expect(user.name).toBeNull();
  });
});

describe("refresh token verdicts", () => {
  const token = { id: "t", sessionId: "s", expiresAt: later(1000), rotatedAt: null, sessionRevokedAt: null };
  it("accepts a fresh token", () => expect(assessRefreshToken(token, now)).toBe("valid"));
  it("calls a rotated token reuse, even after it expired", () => {
    expect(assessRefreshToken({ ...token, rotatedAt: now }, now)).toBe("reused");
    expect(assessRefreshToken({ ...token, rotatedAt: now }, later(5000))).toBe("reused");
  });
  it("refuses expired tokens and revoked sessions", () => {
    expect(assessRefreshToken(token, later(1000))).toBe("expired");
    expect(assessRefreshToken({ ...token, sessionRevokedAt: now, rotatedAt: now }, now)).toBe("revoked");
  });
});

describe("ApiKey", () => {
  const key = (overrides: Partial<Parameters<typeof ApiKey.rehydrate>[0]> = {}) =>
    ApiKey.rehydrate({
      id: "k",
      userId: "u",
      name: "n",
      prefix: "rb_live_x",
      scopes: ["videos:read"],
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      ...overrides,
    });

  it("allows only its scopes, and nothing once revoked", () => {
    expect(key().allows("videos:read")).toBe(true);
    expect(key().allows("videos:write")).toBe(false);
    expect(key({ revokedAt: now }).allows("videos:read")).toBe(false);
  });

  it("asks for a last-used write at most once per granularity window", () => {
    expect(key().needsLastUsedUpdate(now)).toBe(true);
    expect(key({ lastUsedAt: now }).needsLastUsedUpdate(later(API_KEY_LAST_USED_GRANULARITY_MS - 1))).toBe(false);
    expect(key({ lastUsedAt: now }).needsLastUsedUpdate(later(API_KEY_LAST_USED_GRANULARITY_MS))).toBe(true);
  });
});
