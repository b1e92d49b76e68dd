import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { connected, openRedisBus, record, recordingLogger, waitLong } from "../support/event-bus.js";
import { freePort, killProcess, startRedis } from "../support/redis-server.js";
import { silentLogger } from "../support/test-app.js";

// Like the Redis cache suite: a private redis-server this file may kill, hang and restart.
const redisUrl = inject("redisUrl");
const FAST_MS = 1_000; // a publish with Redis gone takes milliseconds, or one command timeout when it hangs

describe.runIf(redisUrl)("RedisEventBus when its Redis dies, hangs and comes back", () => {
  let port: number;
  let server: ChildProcess;

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
  });
  afterAll(() => killProcess(server));

  async function timedPublishes(publish: () => Promise<void>, rounds: number): Promise<number> {
    let slowest = 0;
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await expect(publish()).resolves.toBeUndefined();
      slowest = Math.max(slowest, performance.now() - started);
    }
    return slowest;
  }

  it("drops publishes at once while Redis is down, warning once, and resubscribes every channel when it is back", async () => {
    const url = `redis://127.0.0.1:${port}`;
    const subscriberLogs = recordingLogger();
    const publisherLogs = recordingLogger();
    const listener = openRedisBus(url, subscriberLogs.logger);
    const publisher = openRedisBus(url, publisherLogs.logger);
    try {
      await Promise.all([connected(listener), connected(publisher)]);
      const before = await record(listener, "before");
      await publisher.publish("before", 1);
      await vi.waitFor(() => expect(before.received).toEqual([1]), waitLong);

      await killProcess(server);
      expect(await timedPublishes(() => publisher.publish("before", "lost"), 20)).toBeLessThan(FAST_MS);
      // Subscribing during the outage neither hangs nor fails; it becomes live when Redis is back.
      const during = await record(listener, "during");
      await expect(listener.ping()).rejects.toThrow();

      server = await startRedis(port);
      await Promise.all([connected(listener), connected(publisher)]);
      // The resubscription follows "ready" asynchronously: publish until it has landed.
      await vi.waitFor(async () => {
        await publisher.publish("before", 2);
        await publisher.publish("during", 2);
        expect(before.received).toContain(2);
        expect(during.received).toContain(2);
      }, waitLong);
      expect(before.received).not.toContain("lost");
      for (const logs of [subscriberLogs, publisherLogs]) {
        expect(logs.count("warn")).toBe(1);
        expect(logs.count("info")).toBe(1);
      }
    } finally {
      await Promise.all([listener.close(), publisher.close()]);
    }
  });

  it("reports delivery down as soon as the subscriber connection drops, and live only once its channels are subscribed again", async () => {
    const url = `redis://127.0.0.1:${port}`;
    const listener = openRedisBus(url);
    const publisher = openRedisBus(url);
    try {
      await Promise.all([connected(listener), connected(publisher)]);
      const watched = await record(listener, "watched");
      const states: boolean[] = [];
      listener.watchDelivery((live) => states.push(live));
      expect(states).toEqual([true]);

      await killProcess(server);
      await vi.waitFor(() => expect(states).toEqual([true, false]), waitLong);
      server = await startRedis(port);
      await vi.waitFor(() => expect(states).toEqual([true, false, true]), waitLong);
      // Live means subscribed: one publish is enough, where the test above has to keep trying.
      await connected(publisher);
      await publisher.publish("watched", "after");
      await vi.waitFor(() => expect(watched.received).toEqual(["after"]), waitLong);
    } finally {
      await Promise.all([listener.close(), publisher.close()]);
    }
  });

  it("starts the subscriber connection over when a SUBSCRIBE times out, so delivery becomes live again", async () => {
    const url = `redis://127.0.0.1:${port}`;
    const listener = openRedisBus(url, silentLogger, { commandTimeoutMs: 200 });
    const publisher = openRedisBus(url);
    try {
      await Promise.all([connected(listener), connected(publisher)]);
      const states: boolean[] = [];
      listener.watchDelivery((live) => states.push(live));
      server.kill("SIGSTOP");
      let stalled: Awaited<ReturnType<typeof record>>;
      try {
        stalled = await record(listener, "stalled");
        expect(states).toEqual([true, false]);
      } finally {
        server.kill("SIGCONT");
      }
      await vi.waitFor(() => expect(states).toEqual([true, false, true]), waitLong);
      await connected(publisher);
      await publisher.publish("stalled", "after");
      await vi.waitFor(() => expect(stalled.received).toEqual(["after"]), waitLong);
    } finally {
      await Promise.all([listener.close(), publisher.close()]);
    }
  });

  it("gives up on a Redis that accepts connections but does not answer within the command timeout", async () => {
    const { logger, count } = recordingLogger();
    const publisher = openRedisBus(`redis://127.0.0.1:${port}`, logger, { commandTimeoutMs: 200 });
    try {
      await connected(publisher);
      server.kill("SIGSTOP");
      try {
        expect(await timedPublishes(() => publisher.publish("stuck", 1), 10)).toBeLessThan(FAST_MS);
      } finally {
        server.kill("SIGCONT");
      }
      expect(count("warn")).toBe(1);
    } finally {
      await publisher.close();
    }
  });
});
