import type { TestProject } from "vitest/node";
import { probePostgres, probeRedis, serviceUrls } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
    redisUrl: string | null;
  }
}

/**
 * Finds the real PostgreSQL and Redis. CI (CI=true) or REQUIRE_SERVICES=1 demand both, so a
 * missing service fails the run there instead of silently narrowing it; on a bare machine the
 * suites still run everything against the embedded defaults and say loudly what was left out.
 */
export default async function setup(project: TestProject): Promise<void> {
  const urls = serviceUrls();
  const [postgres, redis] = await Promise.all([probePostgres(urls.postgres), probeRedis(urls.redis)]);
  const required = process.env.CI === "true" || process.env.REQUIRE_SERVICES === "1";
  const missing = [postgres ? null : `PostgreSQL at ${urls.postgres}`, redis ? null : `Redis at ${urls.redis}`].filter(Boolean);
  if (missing.length > 0) {
    const message = `Not reachable: ${missing.join(", ")}.`;
    if (required) throw new Error(`${message} CI requires the real services.`);
    process.stderr.write(`\n*** ${message} Their test variants are not run; CI runs them. ***\n\n`);
  }
  project.provide("postgresUrl", postgres ? urls.postgres : null);
  project.provide("redisUrl", redis ? urls.redis : null);
}
