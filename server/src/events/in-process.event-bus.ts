import type { EventBus, JsonValue, Subscription } from "../shared/application/event-bus.js";
import type { Logger } from "../shared/application/logger.js";
import { encodeMessage, LocalSubscribers } from "./local-subscribers.js";

/**
 * The event bus of a single process (no REDIS_URL): the API process runs the jobs itself, so
 * publisher and subscribers meet here.
 *
 * Messages go through JSON as on Redis, so code that works here works across processes (a Date
 * arrives as a string here too). Delivery waits for a later turn of the event loop: a publisher never
 * runs subscriber code inside its own call stack, and a handler that publishes cannot recurse.
 * `setImmediate` callbacks run in the order scheduled, which keeps each publisher's order.
 */
export class InProcessEventBus implements EventBus {
  private readonly subscribers: LocalSubscribers;

  constructor(logger: Logger) {
    this.subscribers = new LocalSubscribers(logger);
  }

  publish(channel: string, message: JsonValue): Promise<void> {
    let payload: string;
    try {
      payload = encodeMessage(channel, message);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve) =>
      setImmediate(() => {
        this.subscribers.deliver(channel, payload);
        resolve();
      }),
    );
  }

  async subscribe(channel: string, handler: (message: JsonValue) => void): Promise<Subscription> {
    const { remove } = this.subscribers.add(channel, handler);
    return {
      unsubscribe: async () => {
        remove();
      },
    };
  }

  /** Nothing stands between publisher and subscriber here: delivery is always live. */
  watchDelivery(listener: (live: boolean) => void): () => void {
    listener(true);
    return () => {};
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
