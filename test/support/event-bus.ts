import { randomUUID } from "node:crypto";
import { vi } from "vitest";
import { RedisEventBus, type RedisEventBusOptions } from "../../server/src/events/redis.event-bus.js";
import type { EventBus, JsonValue } from "../../server/src/shared/application/event-bus.js";
import type { Logger } from "../../server/src/shared/application/logger.js";
import { silentLogger } from "./test-app.js";

export const prefix = `rbtest:${process.pid}:${randomUUID().slice(0, 8)}:`;
export const waitLong = { timeout: 5_000, interval: 20 };

export function recordingLogger(): { logger: Logger; count: (level: string) => number } {
  const lines: string[] = [];
  const at = (level: string) => () => void lines.push(level);
  return {
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    count: (level) => lines.filter((line) => line === level).length,
  };
}

export function openRedisBus(url: string, logger: Logger = silentLogger, options: Partial<RedisEventBusOptions> = {}) {
  return new RedisEventBus({ url, channelPrefix: prefix, maxReconnectDelayMs: 100, ...options }, logger);
}

/** Resolves once both connections answer: a subscription made before that is live only after it. */
export const connected = (bus: RedisEventBus) => vi.waitFor(() => bus.ping(), waitLong);

/** Subscribes a handler that records what it gets. */
export async function record(bus: EventBus, channel: string) {
  const received: JsonValue[] = [];
  const subscription = await bus.subscribe(channel, (message) => void received.push(message));
  return { received, subscription };
}
