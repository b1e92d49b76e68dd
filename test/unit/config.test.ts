import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/src/config/config.js";
import { DEV_JWT_SECRET } from "../../server/src/config/config.schema.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("configuration", () => {
  it("runs on the embedded defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: "pglite", dataDir: "./data/pg" });
    expect(config.http).toMatchObject({ host: "127.0.0.1", port: 3000 });
    expect(config.auth).toMatchObject({ jwtSecret: DEV_JWT_SECRET, accessTokenTtlSeconds: 900, refreshTokenTtlDays: 7 });
    expect(config.redisUrl).toBeUndefined();
  });

  it("switches to PostgreSQL when DATABASE_URL is set, and parses lists", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://u@h/db", CORS_ORIGINS: "https://a.test, https://b.test,," });
    expect(config.database).toEqual({ kind: "postgres", url: "postgresql://u@h/db" });
    expect(config.http.corsOrigins).toEqual(["https://a.test", "https://b.test"]);
  });

  it("names every bad variable in one error, never the values", () => {
    const problems = problemsOf({
      PORT: "70000",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://root:s3cret@x/y",
      REDIS_URL: "http://x",
    });
    expect(problems.map((problem) => problem.split(":")[0]).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL", "PORT", "REDIS_URL"]);
    expect(problems.join("\n")).not.toContain("s3cret");
  });

  it("refuses a missing, short or default JWT secret in production", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual(["JWT_SECRET: is required in production"]);
    expect(problemsOf({ NODE_ENV: "production", JWT_SECRET: "too-short" })[0]).toMatch(/^JWT_SECRET: must be at least 32/);
    expect(problemsOf({ NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET })[0]).toMatch(/^JWT_SECRET/);
    expect(problemsOf({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) })).toEqual([]);
  });

  it("reports cross-variable rules alongside malformed variables", () => {
    const problems = problemsOf({ NODE_ENV: "production", PORT: "abc", BOOTSTRAP_ADMIN_EMAIL: "root@example.com" });
    expect(problems.map((problem) => problem.split(":")[0]).sort()).toEqual(["BOOTSTRAP_ADMIN_PASSWORD", "JWT_SECRET", "PORT"]);
  });

  it("bounds password hashing to one less than the cores unless PASSWORD_HASH_CONCURRENCY says otherwise", () => {
    expect(loadConfig({}).auth.passwordHashConcurrency).toBe(Math.max(1, availableParallelism() - 1));
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: "3" }).auth.passwordHashConcurrency).toBe(3);
    for (const bad of ["0", "-1", "1.5", "many"]) {
      expect(problemsOf({ PASSWORD_HASH_CONCURRENCY: bad }).map((problem) => problem.split(":")[0])).toEqual([
        "PASSWORD_HASH_CONCURRENCY",
      ]);
    }
  });

  it("uses the local generation provider unless GENERATION_PROVIDER_URL is set, with its knobs' defaults", () => {
    expect(loadConfig({}).generation).toEqual({
      remote: undefined,
      pollIntervalMs: 2_000,
      timeoutMs: 15_000,
      maxResultBytes: 2 * 1024 ** 3,
      maxRetries: 3,
      breakerThreshold: 5,
      halfOpenAfterMs: 30_000,
      maxWaitMs: 3_600_000,
    });
    const remote = loadConfig({
      GENERATION_PROVIDER_URL: "https://api.provider.test/base",
      GENERATION_PROVIDER_API_KEY: "gk_live_secret",
      GENERATION_POLL_INTERVAL_MS: "500",
      GENERATION_TIMEOUT_MS: "3000",
      GENERATION_MAX_RESULT_BYTES: "1048576",
      GENERATION_MAX_RETRIES: "0",
      GENERATION_BREAKER_THRESHOLD: "2",
      GENERATION_BREAKER_HALF_OPEN_MS: "1000",
      GENERATION_MAX_WAIT_MS: "60000",
    }).generation;
    expect(remote).toEqual({
      remote: { url: "https://api.provider.test/base", apiKey: "gk_live_secret" },
      pollIntervalMs: 500,
      timeoutMs: 3_000,
      maxResultBytes: 1_048_576,
      maxRetries: 0,
      breakerThreshold: 2,
      halfOpenAfterMs: 1_000,
      maxWaitMs: 60_000,
    });
  });

  it("demands an http(s) provider URL and its API key, never echoing the key", () => {
    expect(problemsOf({ GENERATION_PROVIDER_URL: "https://api.provider.test" })).toEqual([
      "GENERATION_PROVIDER_API_KEY: is required when GENERATION_PROVIDER_URL is set",
    ]);
    for (const url of ["ftp://provider.test", "file:///tmp/x", "not a url"]) {
      expect(problemsOf({ GENERATION_PROVIDER_URL: url, GENERATION_PROVIDER_API_KEY: "k" }).map((p) => p.split(":")[0])).toEqual([
        "GENERATION_PROVIDER_URL",
      ]);
    }
    const problems = problemsOf({
      GENERATION_PROVIDER_URL: "https://api.provider.test",
      GENERATION_PROVIDER_API_KEY: "gk_live_do_not_echo",
      GENERATION_POLL_INTERVAL_MS: "0",
      GENERATION_MAX_RESULT_BYTES: "-5",
      GENERATION_BREAKER_THRESHOLD: "zero",
    });
    expect(problems.map((problem) => problem.split(":")[0]).sort()).toEqual([
      "GENERATION_BREAKER_THRESHOLD",
      "GENERATION_MAX_RESULT_BYTES",
      "GENERATION_POLL_INTERVAL_MS",
    ]);
    expect(problems.join("\n")).not.toContain("gk_live_do_not_echo");
  });

  it("records metrics by default, off with METRICS=off, with an optional bearer token and port of their own", () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: true, token: undefined, port: undefined });
    expect(loadConfig({ METRICS: "off" }).metrics.enabled).toBe(false);
    expect(loadConfig({ METRICS_TOKEN: "s".repeat(16), METRICS_PORT: "9464" }).metrics).toEqual({
      enabled: true,
      token: "s".repeat(16),
      port: 9464,
    });
    const problems = problemsOf({ METRICS: "no", METRICS_TOKEN: "short-secret", METRICS_PORT: "70000" });
    expect(problems.map((problem) => problem.split(":")[0]).sort()).toEqual(["METRICS", "METRICS_PORT", "METRICS_TOKEN"]);
    expect(problems.join("\n")).not.toContain("short-secret");
  });
});
