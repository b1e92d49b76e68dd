import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { loadConfig } from "../../server/src/config/config.js";
import { createEventBus } from "../../server/src/events/create-event-bus.js";
import { InProcessEventBus } from "../../server/src/events/in-process.event-bus.js";
import type { RedisEventBus } from "../../server/src/events/redis.event-bus.js";
import { listen, type EventBus, type JsonValue } from "../../server/src/shared/application/event-bus.js";
import { connected, openRedisBus, prefix, record, recordingLogger, waitLong } from "../support/event-bus.js";
import { silentLogger } from "../support/test-app.js";

const redisUrl = inject("redisUrl");

interface Harness {
  /** Two buses that share a transport: the same instance in-process, two "processes" on Redis. */
  open(): Promise<{ a: EventBus; b: EventBus; logger: ReturnType<typeof recordingLogger> }>;
  close(): Promise<void>;
}

const harnesses: Array<[string, Harness | null]> = [
  [
    "in-process",
    (() => {
      let bus: InProcessEventBus | null = null;
      return {
        open: async () => {
          const logger = recordingLogger();
          bus = new InProcessEventBus(logger.logger);
          return { a: bus, b: bus, logger };
        },
        close: async () => void (await bus?.close()),
      };
    })(),
  ],
  [
    "Redis",
    redisUrl
      ? (() => {
          const buses: RedisEventBus[] = [];
          return {
            open: async () => {
              const logger = recordingLogger();
              const [a, b] = [openRedisBus(redisUrl, logger.logger), openRedisBus(redisUrl, logger.logger)];
              buses.push(a, b);
              await Promise.all([connected(a), connected(b)]);
              return { a, b, logger };
            },
            close: async () => void (await Promise.all(buses.splice(0).map((bus) => bus.close()))),
          };
        })()
      : null,
  ],
];

describe.each(harnesses)("event bus contract: %s", (_name, harness) => {
  let a: EventBus;
  let b: EventBus;
  let logs: ReturnType<typeof recordingLogger>;
  const channel = () => `ch-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    if (!harness) return;
    ({ a, b, logger: logs } = await harness.open());
  });
  afterAll(() => harness?.close());

  it.runIf(harness)("delivers to every subscriber of the channel, and nothing of other channels", async () => {
    const [here, there] = [channel(), channel()];
    const first = await record(a, here);
    const second = await record(a, here);
    const other = await record(a, there);
    await b.publish(there, "elsewhere");
    await b.publish(here, { n: 1, at: new Date(0).toISOString(), nested: [true, null] });
    await vi.waitFor(() => expect(second.received).toHaveLength(1), waitLong);
    // One publisher, one order: the message on the other channel has arrived before this one.
    expect(first.received).toEqual([{ n: 1, at: "1970-01-01T00:00:00.000Z", nested: [true, null] }]);
    expect(other.received).toEqual(["elsewhere"]);
  });

  it.runIf(harness)("stops delivering to a subscriber that unsubscribed, and keeps the others", async () => {
    const ch = channel();
    const leaving = await record(a, ch);
    const staying = await record(a, ch);
    await leaving.subscription.unsubscribe();
    await leaving.subscription.unsubscribe(); // idempotent: must not unsubscribe the other one
    await b.publish(ch, "after");
    await vi.waitFor(() => expect(staying.received).toEqual(["after"]), waitLong);
    expect(leaving.received).toEqual([]);
  });

  it.runIf(harness)("keeps the order of one publisher, awaited or not", async () => {
    const ch = channel();
    const { received } = await record(a, ch);
    await Promise.all(Array.from({ length: 100 }, (_, i) => b.publish(ch, i)));
    for (let i = 100; i < 150; i++) await b.publish(ch, i);
    await vi.waitFor(() => expect(received).toHaveLength(150), waitLong);
    expect(received).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it.runIf(harness)("gives each handler its own copy and isolates a handler that throws", async () => {
    const ch = channel();
    const errorsBefore = logs.count("error");
    await a.subscribe(ch, (message) => {
      (message as { n: number }).n = 99;
      throw new Error("subscriber bug");
    });
    const { received } = await record(a, ch);
    await expect(b.publish(ch, { n: 1 })).resolves.toBeUndefined();
    await vi.waitFor(() => expect(received).toEqual([{ n: 1 }]), waitLong);
    expect(logs.count("error")).toBe(errorsBefore + 1);
  });

  it.runIf(harness)("rejects a message that has no JSON text", async () => {
    await expect(b.publish(channel(), { big: 1n } as unknown as JsonValue)).rejects.toThrow(TypeError);
  });

  it.runIf(harness)("listen(): yields in order, ends on abort (also while waiting) and unsubscribes", async () => {
    const ch = channel();
    const controller = new AbortController();
    const stream = await listen(a, ch, { signal: controller.signal });
    await b.publish(ch, 1);
    await b.publish(ch, 2);
    expect((await stream.next()).value).toBe(1);
    expect((await stream.next()).value).toBe(2);
    const waiting = stream.next();
    controller.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    const witness = await record(a, ch);
    await b.publish(ch, 3);
    await vi.waitFor(() => expect(witness.received).toEqual([3]), waitLong);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it.runIf(harness)("listen(): a slow consumer keeps only the newest messages, the last one always", async () => {
    const ch = channel();
    const stream = await listen(a, ch, { bufferSize: 3 });
    const witness = await record(a, ch);
    for (let i = 0; i < 10; i++) await b.publish(ch, { progress: i * 10 });
    await vi.waitFor(() => expect(witness.received).toHaveLength(10), waitLong);
    const read: JsonValue[] = [];
    for await (const message of stream) {
      read.push(message);
      if (read.length === 3) break; // ends the stream, as a `return` in an SSE generator does
    }
    expect(read).toEqual([{ progress: 70 }, { progress: 80 }, { progress: 90 }]);
    expect(stream.dropped).toBe(7);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it.runIf(harness)("reports delivery live at once while connected, and stops reporting when asked", async () => {
    const states: boolean[] = [];
    const stop = a.watchDelivery((live) => states.push(live));
    expect(states).toEqual([true]);
    stop();
  });

  it.runIf(harness)("listen(): an already aborted signal gives an ended stream", async () => {
    const stream = await listen(a, channel(), { signal: AbortSignal.abort() });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});

describe.runIf(redisUrl)("RedisEventBus against the real Redis", () => {
  const url = redisUrl ?? "";
  let raw: Redis;
  const numsub = async (channel: string) => Number((await raw.pubsub("NUMSUB", prefix + channel))[1]);

  beforeAll(() => void (raw = new Redis(url)));
  afterAll(() => raw.quit());

  it("holds one Redis subscription per channel however many local subscribers, until the last leaves", async () => {
    const bus = openRedisBus(url);
    try {
      await connected(bus);
      const subs = await Promise.all([bus.subscribe("rc", () => {}), bus.subscribe("rc", () => {})]);
      expect(await numsub("rc")).toBe(1);
      await subs[0]?.unsubscribe();
      expect(await numsub("rc")).toBe(1);
      await subs[1]?.unsubscribe();
      expect(await numsub("rc")).toBe(0);
      const again = await record(bus, "rc"); // resubscribing after the last left works
      await raw.publish(`${prefix}rc`, '"back"');
      await vi.waitFor(() => expect(again.received).toEqual(["back"]), waitLong);
    } finally {
      await bus.close();
    }
  });

  it("drops a message from the wire that is not JSON, with a warning, and delivers the next", async () => {
    const { logger, count } = recordingLogger();
    const bus = openRedisBus(url, logger);
    try {
      await connected(bus);
      const { received } = await record(bus, "raw");
      await raw.publish(`${prefix}raw`, "not json {");
      await raw.publish(`${prefix}raw`, '{"ok":true}');
      await vi.waitFor(() => expect(received).toEqual([{ ok: true }]), waitLong);
      expect(count("warn")).toBe(1);
    } finally {
      await bus.close();
    }
  });

  it("is chosen by createEventBus when REDIS_URL is set, with a health check and no password in its description", async () => {
    const adapter = await createEventBus(loadConfig({ NODE_ENV: "test", REDIS_URL: url }), silentLogger, {
      channelPrefix: prefix,
    });
    try {
      expect(adapter.port).toBe("event bus");
      expect(adapter.describe).toMatch(/^Redis pub\/sub \(redis:\/\//);
      expect(adapter.healthCheck?.name).toBe("event bus");
      await vi.waitFor(() => adapter.healthCheck?.check(), waitLong);
    } finally {
      await adapter.close();
    }
  });
});

describe("createEventBus without REDIS_URL", () => {
  it("binds the in-process bus, with no health check", async () => {
    const adapter = await createEventBus(loadConfig({ NODE_ENV: "test" }), silentLogger);
    expect([adapter.port, adapter.describe, adapter.healthCheck]).toEqual(["event bus", "in-process", null]);
    const { received } = await record(adapter.value, "c");
    await adapter.value.publish("c", "hi");
    expect(received).toEqual(["hi"]); // delivered by the time publish resolves
    await adapter.close();
  });

  it("describes a Redis URL without its password", async () => {
    const adapter = await createEventBus(
      loadConfig({ NODE_ENV: "test", REDIS_URL: "redis://:s3cret@127.0.0.1:1/0" }),
      silentLogger,
    );
    expect(adapter.describe).toBe("Redis pub/sub (redis://:***@127.0.0.1:1/0)");
    await adapter.close();
  });
});
