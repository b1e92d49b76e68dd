/**
 * A value that survives JSON unchanged. Object members may be `undefined` (dropped on the wire) so
 * that types with optional fields can be published without casts.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

export interface Subscription {
  /** Stops delivery to this handler. Idempotent; never throws. */
  unsubscribe(): Promise<void>;
}

/**
 * Channel-based publish/subscribe between processes (Redis) or within one (in-process).
 *
 * At most once: a message published while nobody listens, or while Redis is down, is gone.
 * Consumers read the current state from the database first and treat messages as hints of change
 * (docs/adr/0011). Every handler receives its own copy of the message as it came through JSON.
 * Messages of one publisher on one channel arrive in the order published.
 */
export interface EventBus {
  /**
   * Resolves once the message is handed on, or dropped because the bus is unavailable (warned once
   * per outage): a publisher never waits out an outage nor fails because of one.
   * Rejects only for a message that has no JSON text (a bug in the caller).
   */
  publish(channel: string, message: JsonValue): Promise<void>;
  /**
   * Resolves once messages published from now on will reach the handler (when Redis is up; during an
   * outage, the subscription is kept and becomes live when Redis is back). Handlers run
   * asynchronously to publishers, must be quick, and their errors are logged, never propagated.
   */
  subscribe(channel: string, handler: (message: JsonValue) => void): Promise<Subscription>;
  /**
   * Tells `listener` whether messages reach this process's subscriptions: once at once, then on every
   * change. False while the transport is down or re-establishing subscriptions; whatever is published
   * meanwhile is lost, so a consumer that keeps state on the strength of messages (a near cache kept
   * fresh by invalidations) must stop trusting it until this is true again. Returns a function that
   * stops the calls.
   */
  watchDelivery(listener: (live: boolean) => void): () => void;
}

export const EVENT_BUS = Symbol.for("EventBus");

export interface ListenOptions {
  /** Ends the stream (and unsubscribes) when aborted, also while the consumer is waiting. */
  signal?: AbortSignal;
  /** How many unread messages are kept; past it the oldest is dropped. */
  bufferSize?: number;
}

/** Messages of one channel as an async iterable, for a consumer loop such as an SSE generator. */
export interface EventStream extends AsyncIterableIterator<JsonValue> {
  /** How many messages were dropped because the consumer was slower than the publisher. */
  readonly dropped: number;
  /** Ends the stream and unsubscribes; a waiting `next()` resolves as done. */
  close(): Promise<void>;
}

export const DEFAULT_LISTEN_BUFFER = 64;

/**
 * Subscribes and returns the channel's messages as a stream. It is subscribed when the promise
 * resolves, so a caller can then read the current state and miss no change made after that read.
 *
 * The buffer is bounded so a slow or stalled consumer cannot grow memory: when full, the OLDEST
 * message is dropped. Progress messages are superseded by newer ones, and the newest (which is also
 * the final state of a job) is never the one dropped.
 */
export async function listen(bus: EventBus, channel: string, options: ListenOptions = {}): Promise<EventStream> {
  const stream = new BufferedStream(Math.max(1, options.bufferSize ?? DEFAULT_LISTEN_BUFFER));
  if (options.signal?.aborted) {
    await stream.close();
    return stream;
  }
  const subscription = await bus.subscribe(channel, (message) => stream.push(message));
  stream.attach(subscription);
  const signal = options.signal;
  if (signal) {
    const onAbort = () => void stream.close();
    if (signal.aborted)
      onAbort(); // aborted while subscribing
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      stream.onEnd = () => signal.removeEventListener("abort", onAbort);
    }
  }
  return stream;
}

type Waiter = (result: IteratorResult<JsonValue>) => void;

class BufferedStream implements EventStream {
  dropped = 0;
  onEnd: (() => void) | null = null;
  private buffer: JsonValue[] = [];
  private readonly waiters: Waiter[] = [];
  private subscription: Subscription | null = null;
  private ended = false;

  constructor(private readonly capacity: number) {}

  attach(subscription: Subscription): void {
    if (this.ended) void subscription.unsubscribe();
    else this.subscription = subscription;
  }

  push(message: JsonValue): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter({ value: message, done: false });
    if (this.buffer.length >= this.capacity) {
      this.buffer.shift();
      this.dropped++;
    }
    this.buffer.push(message);
  }

  next(): Promise<IteratorResult<JsonValue>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called by `break` or `return` inside a `for await`. */
  async return(): Promise<IteratorResult<JsonValue>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.buffer = []; // the consumer has gone; nothing left is worth delivering
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
    this.onEnd?.();
    await this.subscription?.unsubscribe();
  }

  [Symbol.asyncIterator](): EventStream {
    return this;
  }
}
