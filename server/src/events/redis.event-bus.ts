import { Redis, type RedisOptions } from "ioredis";
import type { EventBus, JsonValue, Subscription } from "../shared/application/event-bus.js";
import type { Logger } from "../shared/application/logger.js";
import { encodeMessage, LocalSubscribers } from "./local-subscribers.js";

export interface RedisEventBusOptions {
  url: string;
  /** Prepended to every channel on the wire, so test runs and deployments sharing a Redis stay apart. */
  channelPrefix?: string;
  /** Upper bound on one command; past it a publish is dropped. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reconnect attempts back off exponentially up to this delay, and never stop. */
  maxReconnectDelayMs?: number;
  /** After a failed publish, publishes skip Redis for this long instead of each waiting for a timeout. */
  failFastMs?: number;
}

type Role = "publisher" | "subscriber";

/**
 * The event bus across processes, on Redis pub/sub (PUBLISH/SUBSCRIBE; JSON text on the wire).
 *
 * Two connections per process: one publishes; the other is in subscriber mode (where Redis allows
 * no other commands) and carries every channel any local handler listens to. A channel is
 * subscribed on the wire when its first local handler arrives and unsubscribed when its last one
 * leaves, so thousands of SSE clients cost one connection, not thousands (docs/adr/0011).
 *
 * Outages follow the cache's conventions (redis.cache.ts): no offline queue, no retries, a short
 * command timeout, a fail-fast window; one warning when an outage starts and one info line when it
 * ends. ioredis would resubscribe by itself (`autoResubscribe`), but only the channels whose
 * SUBSCRIBE had succeeded, and it would also restore channels whose UNSUBSCRIBE was lost in the
 * outage. So it is off, and on every "ready" this class subscribes exactly the channels that have
 * local handlers: those are the truth, the connection's state is not. Delivery counts as live
 * (`watchDelivery`) from the moment that SUBSCRIBE succeeds until the subscriber connection fails.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly subscribers: LocalSubscribers;
  private readonly prefix: string;
  private readonly failFastMs: number;
  /** SUBSCRIBE commands in flight, so a second local subscriber waits for the same one. */
  private readonly subscribing = new Map<string, Promise<void>>();
  private readonly down = new Set<Role>();
  private outageSince: number | null = null;
  private skipPublishUntil = 0;
  private closed = false;
  private deliveryLive = false;
  private readonly deliveryListeners = new Set<(live: boolean) => void>();
  /** Counts the subscriber's "ready" events, so a resubscription that a later one overtook claims nothing. */
  private subscriberEpoch = 0;

  constructor(
    options: RedisEventBusOptions,
    private readonly logger: Logger,
  ) {
    this.subscribers = new LocalSubscribers(logger);
    this.prefix = options.channelPrefix ?? "rb:events:";
    this.failFastMs = options.failFastMs ?? 1_000;
    const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2_000;
    const common: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A progress message replayed after a reconnect would arrive after newer ones.
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs),
    };
    this.publisher = new Redis(options.url, { ...common, connectionName: "reelbase-events-pub" });
    // Connected eagerly, so the first SSE subscription does not find it still connecting.
    this.subscriber = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: "reelbase-events-sub" });
    this.watch(this.publisher, "publisher", () => {});
    this.watch(this.subscriber, "subscriber", () => this.resubscribe());
    this.subscriber.on("message", (wireChannel: string, payload: string) => {
      if (wireChannel.startsWith(this.prefix)) this.subscribers.deliver(wireChannel.slice(this.prefix.length), payload);
    });
  }

  async publish(channel: string, message: JsonValue): Promise<void> {
    const payload = encodeMessage(channel, message);
    if (this.closed || Date.now() < this.skipPublishUntil) return;
    if (this.publisher.status !== "ready") {
      this.failed("publisher", new Error(`Redis connection is ${this.publisher.status}`));
      return;
    }
    try {
      await this.publisher.publish(this.prefix + channel, payload);
      this.recovered("publisher");
    } catch (error) {
      this.failed("publisher", error);
    }
  }

  async subscribe(channel: string, handler: (message: JsonValue) => void): Promise<Subscription> {
    const { first, remove } = this.subscribers.add(channel, handler);
    if (first) {
      const subscribed = this.wire("subscribe", channel).finally(() => this.subscribing.delete(channel));
      this.subscribing.set(channel, subscribed);
      await subscribed;
    } else {
      await this.subscribing.get(channel);
    }
    return {
      unsubscribe: async () => {
        if (remove().last) await this.wire("unsubscribe", channel);
      },
    };
  }

  watchDelivery(listener: (live: boolean) => void): () => void {
    this.deliveryListeners.add(listener);
    listener(this.deliveryLive);
    return () => void this.deliveryListeners.delete(listener);
  }

  /** For /health/ready: throws unless both connections answer. */
  async ping(): Promise<void> {
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  /** Ends both connections politely; a Redis that is down or stuck gets a plain disconnect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    this.setDelivery(false);
    this.deliveryListeners.clear();
    await Promise.all(
      [this.publisher, this.subscriber].map(async (client) => {
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      }),
    );
  }

  /**
   * Sends SUBSCRIBE or UNSUBSCRIBE for one channel. Never throws: while disconnected there is
   * nothing to do (the next "ready" subscribes what is wanted then), and a failure is an outage.
   * Calls reach Redis in call order on the one connection, so a quick unsubscribe-then-subscribe
   * of the same channel ends subscribed.
   */
  private async wire(command: "subscribe" | "unsubscribe", channel: string): Promise<void> {
    if (this.closed || this.subscriber.status !== "ready") return;
    try {
      await this.subscriber[command](this.prefix + channel);
    } catch (error) {
      this.subscriberFailed(error);
    }
  }

  private resubscribe(): void {
    const epoch = ++this.subscriberEpoch;
    const channels = this.subscribers.names().map((channel) => this.prefix + channel);
    const subscribed = channels.length === 0 ? Promise.resolve() : this.subscriber.subscribe(...channels);
    subscribed.then(
      () => {
        if (epoch === this.subscriberEpoch && !this.closed) this.setDelivery(true);
      },
      (error: unknown) => this.subscriberFailed(error),
    );
  }

  /**
   * A (UN)SUBSCRIBE that failed on a connection still thought ready (a timeout on a stalled Redis)
   * leaves its subscriptions unknown: start the connection over, and the next "ready" subscribes
   * exactly what is wanted. Until then delivery is not live.
   */
  private subscriberFailed(error: unknown): void {
    this.failed("subscriber", error);
    if (!this.closed && this.subscriber.status === "ready") this.subscriber.disconnect(true);
  }

  private setDelivery(live: boolean): void {
    if (this.deliveryLive === live) return;
    this.deliveryLive = live;
    for (const listener of [...this.deliveryListeners]) {
      try {
        listener(live);
      } catch (error) {
        this.logger.error("event bus: a delivery listener failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private watch(client: Redis, role: Role, onReady: () => void): void {
    // Without an "error" listener ioredis prints every failed reconnect to stderr.
    client.on("error", (error: Error) => this.failed(role, error));
    client.on("close", () => this.failed(role, new Error("connection closed")));
    client.on("ready", () => {
      this.recovered(role);
      onReady();
    });
  }

  private failed(role: Role, error: unknown): void {
    if (this.closed) return;
    if (role === "publisher") this.skipPublishUntil = Date.now() + this.failFastMs;
    if (role === "subscriber") this.setDelivery(false);
    this.down.add(role);
    if (this.outageSince !== null) return;
    this.outageSince = Date.now();
    this.logger.warn("event bus: Redis unavailable, events are dropped until it is back", {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private recovered(role: Role): void {
    if (role === "publisher") this.skipPublishUntil = 0;
    this.down.delete(role);
    if (this.outageSince === null || this.down.size > 0) return;
    this.logger.info("event bus: Redis available again", { outageMs: Date.now() - this.outageSince });
    this.outageSince = null;
  }
}
