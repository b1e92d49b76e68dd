import type { JsonValue } from "../shared/application/event-bus.js";
import type { Logger } from "../shared/application/logger.js";

type Handler = (message: JsonValue) => void;

/** One subscribe call; its own object, so the same function subscribed twice is two subscribers. */
interface Entry {
  readonly handler: Handler;
  active: boolean;
}

/**
 * The handlers of this process, by channel, and the fan-out to them. Both adapters use it, so a
 * message reaches handlers the same way whichever bus carried it.
 */
export class LocalSubscribers {
  private readonly channels = new Map<string, Set<Entry>>();

  constructor(private readonly logger: Logger) {}

  /** Adds a handler; `first` tells the Redis adapter to subscribe the channel on the wire. */
  add(channel: string, handler: Handler): { first: boolean; remove: () => { last: boolean } } {
    let entries = this.channels.get(channel);
    const first = entries === undefined;
    if (!entries) this.channels.set(channel, (entries = new Set()));
    const entry: Entry = { handler, active: true };
    entries.add(entry);
    const set = entries;
    return {
      first,
      remove: () => {
        if (!entry.active) return { last: false }; // a second unsubscribe must not count twice
        entry.active = false;
        set.delete(entry);
        if (set.size > 0 || this.channels.get(channel) !== set) return { last: false };
        this.channels.delete(channel);
        return { last: true };
      },
    };
  }

  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  names(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * Hands the JSON text to every handler of the channel, each parsing its own copy: one handler
   * mutating its message must not change another's. Text that is not JSON (from some other
   * publisher on the same Redis) is dropped with a warning; a handler that throws is logged.
   */
  deliver(channel: string, payload: string): void {
    const entries = this.channels.get(channel);
    if (!entries) return;
    for (const entry of [...entries]) {
      if (!entry.active) continue; // unsubscribed by an earlier handler of this same message
      let message: JsonValue;
      try {
        message = JSON.parse(payload) as JsonValue;
      } catch {
        this.logger.warn("event bus: dropped a message that is not JSON", { channel, bytes: payload.length });
        return;
      }
      try {
        entry.handler(message);
      } catch (error) {
        this.logger.error("event bus: a subscriber failed on a message", {
          channel,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  clear(): void {
    for (const entries of this.channels.values()) for (const entry of entries) entry.active = false;
    this.channels.clear();
  }
}

/** The JSON text of a message, or a TypeError: publishing something that has none is a bug. */
export function encodeMessage(channel: string, message: JsonValue): string {
  let json: unknown;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    throw new TypeError(`event bus: message on "${channel}" is not JSON-serialisable`, { cause: error });
  }
  if (typeof json !== "string") throw new TypeError(`event bus: message on "${channel}" is not JSON-serialisable`);
  return json;
}
