import { RateLimiterMemory } from "rate-limiter-flexible";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config/config.js";
import { createRateLimits } from "../../server/src/rate-limit/create-rate-limits.js";
import { FlexibleRateLimits } from "../../server/src/rate-limit/flexible-rate-limits.js";
import { addressKey, callerKey, emailKey, PROCEDURE_LIMITS } from "../../server/src/rate-limit/rate-limit-keys.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { noRateLimits, type RateLimitName } from "../../server/src/shared/application/rate-limits.js";

const silent = createWinstonLogger({ level: "silent", json: true });

describe("rate limit configuration", () => {
  it("defaults to the product's limits", () => {
    const { rateLimits } = loadConfig({ NODE_ENV: "test" });
    expect(rateLimits.enabled).toBe(true);
    expect(rateLimits.keyPrefix).toBe("reelbase:rl");
    expect(rateLimits.rules).toEqual({
      caller: { points: 600, windowSeconds: 60 },
      ip: { points: 120, windowSeconds: 60 },
      login: { points: 10, windowSeconds: 900 },
      register: { points: 10, windowSeconds: 3600 },
      upload: { points: 60, windowSeconds: 3600 },
    });
  });

  it("takes every limit from the environment, and RATE_LIMITS=off switches them off", async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      RATE_LIMITS: "off",
      QUEUE_PREFIX: "staging",
      RATE_LIMIT_CALLER_POINTS: "1",
      RATE_LIMIT_CALLER_WINDOW_SECONDS: "2",
      RATE_LIMIT_IP_POINTS: "3",
      RATE_LIMIT_IP_WINDOW_SECONDS: "4",
      RATE_LIMIT_LOGIN_POINTS: "5",
      RATE_LIMIT_LOGIN_WINDOW_SECONDS: "6",
      RATE_LIMIT_REGISTER_POINTS: "7",
      RATE_LIMIT_REGISTER_WINDOW_SECONDS: "8",
      RATE_LIMIT_UPLOAD_POINTS: "9",
      RATE_LIMIT_UPLOAD_WINDOW_SECONDS: "10",
    });
    expect(config.rateLimits).toEqual({
      enabled: false,
      keyPrefix: "staging:rl",
      rules: {
        caller: { points: 1, windowSeconds: 2 },
        ip: { points: 3, windowSeconds: 4 },
        login: { points: 5, windowSeconds: 6 },
        register: { points: 7, windowSeconds: 8 },
        upload: { points: 9, windowSeconds: 10 },
      },
    });
    const adapter = await createRateLimits(config, silent);
    expect(adapter.value).toBe(noRateLimits);
    expect(adapter.describe).toBe("off");
  });

  it("refuses limits that are not positive whole numbers, naming each variable", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "test", RATE_LIMITS: "maybe", RATE_LIMIT_IP_POINTS: "0", RATE_LIMIT_LOGIN_WINDOW_SECONDS: "1.5" }),
    ).toThrow(/RATE_LIMITS[\s\S]*RATE_LIMIT_IP_POINTS[\s\S]*RATE_LIMIT_LOGIN_WINDOW_SECONDS/);
  });
});

describe("rate limit keys", () => {
  it("counts an IPv4 address as itself, also IPv4-mapped, and an IPv6 address by its /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb::9")).toBe(addressKey("2001:db8:1:2:aaaa::1"));
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey(null)).toBe("unknown");
    expect(addressKey("not an address")).toBe("unknown");
  });

  it("gives a session its user's budget and each API key its own", () => {
    const session = { via: "session", userId: "u1", role: "USER", tier: "FREE", sessionId: "s1" } as const;
    const key = { via: "apiKey", userId: "u1", role: "USER", tier: "FREE", apiKeyId: "k1", scopes: [] } as const;
    expect(callerKey(session)).toBe("user:u1");
    expect(callerKey(key)).toBe("key:k1");
  });

  it("reads the email as the account lookup does, so spelling variants share a login budget", () => {
    expect(emailKey({ email: "  Ada@Example.COM " })).toBe("ada@example.com");
    expect(emailKey({ password: "x" })).toBe("");
    expect(emailKey("nope")).toBe("");
    const login = PROCEDURE_LIMITS["auth.login"];
    expect(login?.key({ ip: "203.0.113.7", caller: undefined }, { email: "Ada@example.com" })).toBe(
      "203.0.113.7|ada@example.com",
    );
  });

  it("limits login, register and upload creation on top of the general budgets", () => {
    expect(Object.fromEntries(Object.entries(PROCEDURE_LIMITS).map(([path, limit]) => [path, limit.limit]))).toEqual({
      "auth.login": "login",
      "auth.register": "register",
      "videos.createUpload": "upload",
      "uploads.create": "upload",
    });
    const caller = { via: "apiKey", userId: "u1", role: "USER", tier: "FREE", apiKeyId: "k1", scopes: [] } as const;
    // Uploads are the user's, whichever key asks.
    expect(PROCEDURE_LIMITS["videos.createUpload"]?.key({ ip: null, caller }, undefined)).toBe("user:u1");
  });
});

describe("FlexibleRateLimits", () => {
  const rules = (points: number): Record<RateLimitName, { points: number; windowSeconds: number }> => ({
    caller: { points, windowSeconds: 60 },
    ip: { points, windowSeconds: 60 },
    login: { points, windowSeconds: 900 },
    register: { points, windowSeconds: 3600 },
    upload: { points, windowSeconds: 3600 },
  });

  it("allows the budget, then refuses with the numbers the headers carry; keys and limits are apart", async () => {
    const limits = new FlexibleRateLimits(
      rules(2),
      (name, rule) => new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.windowSeconds }),
      silent,
    );
    expect(await limits.consume("login", "a")).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(await limits.consume("login", "a")).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await limits.consume("login", "a");
    expect(refused).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
    expect(refused.resetSeconds).toBeGreaterThan(890);
    expect(refused.resetSeconds).toBeLessThanOrEqual(900);
    expect(await limits.consume("login", "b")).toMatchObject({ allowed: true });
    expect(await limits.consume("register", "a")).toMatchObject({ allowed: true });
  });

  it("lets a call through when the limiter itself fails, instead of failing it", async () => {
    const broken = { consume: () => Promise.reject(new Error("store down")) };
    const limits = new FlexibleRateLimits(rules(1), () => broken as never, silent);
    expect(await limits.consume("ip", "a")).toMatchObject({ allowed: true });
    expect(await limits.consume("ip", "a")).toMatchObject({ allowed: true });
  });
});
