import { inject } from "vitest";
import type { Container } from "inversify";
import { loadConfig, type AppConfig } from "../../server/src/config/config.js";
import { createAppContainer } from "../../server/src/container.js";
import { IN_MEMORY_PGLITE } from "../../server/src/database/open-database.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import type { Logger } from "../../server/src/shared/application/logger.js";
import { RATE_LIMITS, type RateLimits } from "../../server/src/shared/application/rate-limits.js";
import { appRouter } from "../../server/src/trpc/app.router.js";
import type { Context } from "../../server/src/trpc/context.js";
import { createCallerFactory } from "../../server/src/trpc/init.js";
import { resolveFrom } from "../../server/src/trpc/resolve-from.js";
import { createScratchDatabase } from "./services.js";
import { TestClock } from "./test-clock.js";

export type Backend = "pglite" | "postgres";

/** Every backend this run can reach: PGlite always, PostgreSQL when the service is up (always in CI). */
export function backends(): Backend[] {
  return inject("postgresUrl") ? ["pglite", "postgres"] : ["pglite"];
}

/** Rate limits that suites never meet; the defaults themselves are checked in config.test.ts. */
export const GENEROUS_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_CALLER_POINTS: "1000000",
  RATE_LIMIT_IP_POINTS: "1000000",
  RATE_LIMIT_LOGIN_POINTS: "1000000",
  RATE_LIMIT_REGISTER_POINTS: "1000000",
  RATE_LIMIT_UPLOAD_POINTS: "1000000",
};

export const silentLogger: Logger = createWinstonLogger({ level: "silent", json: true });

/** Test configuration: cheap argon2 so suites stay fast; everything else as in development. */
export async function testConfig(
  backend: Backend,
  extra: Record<string, string> = {},
): Promise<{ config: AppConfig; dispose: () => Promise<void> }> {
  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    PGLITE_DATA_DIR: IN_MEMORY_PGLITE,
    ARGON2_MEMORY_KIB: "1024",
    ARGON2_TIME_COST: "1",
    JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
    // Every suite calls from 127.0.0.1, many register dozens of users: limits on, but out of reach.
    // The rate-limit suites set small ones of their own.
    ...GENEROUS_RATE_LIMITS,
    ...extra,
  };
  if (backend === "postgres") {
    const adminUrl = inject("postgresUrl");
    if (!adminUrl) throw new Error("PostgreSQL is not available in this run");
    const scratch = await createScratchDatabase(adminUrl);
    return { config: loadConfig({ ...env, DATABASE_URL: scratch.url }), dispose: scratch.drop };
  }
  return { config: loadConfig(env), dispose: async () => {} };
}

const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;

export interface TestApp {
  config: AppConfig;
  container: Container;
  clock: TestClock;
  /** A caller as a request with this Authorization header (or none) would be. */
  caller(authorization?: string | null): AppCaller;
  context(authorization?: string | null): Context;
  close(): Promise<void>;
}

export async function createTestApp(backend: Backend, extraEnv: Record<string, string> = {}): Promise<TestApp> {
  const { config, dispose } = await testConfig(backend, extraEnv);
  return openTestApp(config, dispose);
}

/**
 * An app on a given configuration. Two on one configuration (PostgreSQL and Redis) are two API
 * processes of one deployment, for tests across instances; `dispose` runs after closing.
 */
export async function openTestApp(config: AppConfig, dispose: () => Promise<void> = async () => {}): Promise<TestApp> {
  const clock = new TestClock();
  const { container, lifecycle } = await createAppContainer(config, silentLogger, clock);
  const context = (authorization: string | null = null): Context => ({
    requestId: "test-request",
    ip: "127.0.0.1",
    authorization,
    exposeErrorDetails: false,
    resolve: resolveFrom(container),
    response: { headers: {} },
    rateLimits: container.get<RateLimits>(RATE_LIMITS),
  });
  return {
    config,
    container,
    clock,
    context,
    caller: (authorization = null) => createCaller(context(authorization)),
    close: async () => {
      await lifecycle.close();
      await dispose();
    },
  };
}
