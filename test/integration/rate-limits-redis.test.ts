import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { createCallerFactory } from "../../server/src/trpc/init.js";
import { freePort, killProcess, startRedis } from "../support/redis-server.js";
import { openTestApp, testConfig, type TestApp } from "../support/test-app.js";

/**
 * Rate limits on Redis: two API instances on one Redis spend one budget, and a Redis that goes
 * away turns no call into an error (each instance counts in memory until it is back). A private
 * redis-server, so stopping it disturbs no other suite.
 */
const createCaller = createCallerFactory(appRouter);
/** A call without credentials from `ip`: each one spends a point of that address's budget. */
const anonymousCall = (app: TestApp, ip: string) => createCaller({ ...app.context(), ip, response: { headers: {} } }).auth.me();

describe("rate limits with Redis", () => {
  let port: number;
  let redis: ChildProcess;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    const { config } = await testConfig("pglite", {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: `rbrl-${randomUUID().slice(0, 8)}`,
      RATE_LIMIT_IP_POINTS: "4",
    });
    first = await openTestApp(config);
    second = await openTestApp(config);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    if (redis) await killProcess(redis);
  }, 60_000);

  it("gives two API instances on one Redis one budget", async () => {
    const ip = "203.0.113.10";
    await expect(anonymousCall(first, ip)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymousCall(second, ip)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymousCall(first, ip)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymousCall(second, ip)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // The fifth call on either instance is over the shared budget of 4.
    await expect(anonymousCall(first, ip)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(anonymousCall(second, ip)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("keeps limiting, in memory and without errors, while Redis is down, and shares the budget again once it is back", async () => {
    await killProcess(redis);
    const ip = "203.0.113.20";
    const outcomes: string[] = [];
    const started = performance.now();
    for (let n = 0; n < 5; n++) {
      outcomes.push(
        await anonymousCall(first, ip).then(
          () => "ok",
          (error: { code: string }) => error.code,
        ),
      );
    }
    // Each call is answered at once (no wait for Redis), and the insurance limiter counts.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(outcomes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "TOO_MANY_REQUESTS"]);
    // The other instance counted nothing of these: its own in-memory budget.
    await expect(anonymousCall(second, ip)).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    redis = await startRedis(port);
    // Once the limiter's connection is back, the two instances share one budget again: five calls
    // from a fresh address, three on one instance and two on the other, and the fifth is refused
    // (with budgets of their own neither instance would have seen more than three).
    let fresh = 100;
    await expect
      .poll(
        async () => {
          const ip = `203.0.113.${fresh++}`;
          const codes: string[] = [];
          for (const app of [first, second, first, second, first]) {
            codes.push(
              await anonymousCall(app, ip).then(
                () => "ok",
                (error: { code: string }) => error.code,
              ),
            );
          }
          return codes.at(-1);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe("TOO_MANY_REQUESTS");
  }, 60_000);
});
