import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { EventBus, JsonValue } from "../shared/application/event-bus.js";
import type { Logger } from "../shared/application/logger.js";
import type { TransactionProbe } from "./cache-aside.js";
import type { NearCache } from "./near-cache.js";

/** How long a write waits for its own invalidation to come back through the bus (see `announce`). */
const ECHO_TIMEOUT_MS = 250;

/** What this needs of the database; `Database` has it. */
export interface CommitHooks extends TransactionProbe {
  afterCommit(effect: () => Promise<void>): Promise<void>;
}

export interface InvalidationChannelOptions<M> {
  /** The event bus channel; one per group of caches. */
  name: string;
  /** What a message must look like; one that fails it clears every cache. */
  message: z.ZodType<M>;
  /** Drops what a message names from the caches. */
  apply: (message: M) => void;
  /** The caches this channel keeps fresh: trusted only while delivery is live. */
  caches: ReadonlyArray<Pick<NearCache<object>, "clear" | "trust" | "distrust">>;
}

/**
 * The invalidations that keep every process's NearCaches (docs/adr/0014) fresh, on one event bus
 * channel: a write drops its entries here at once, and once committed, tells every process and
 * waits until that message is on its way to all of them.
 */
export class InvalidationChannel<M extends { [key: string]: JsonValue | undefined }> {
  private readonly echoes = new Map<string, () => void>();
  private live = false;

  constructor(
    private readonly bus: EventBus,
    private readonly database: CommitHooks,
    private readonly logger: Logger,
    private readonly options: InvalidationChannelOptions<M>,
  ) {}

  /** Subscribes to the invalidations. The caches serve nothing until delivery is live. */
  async listen(): Promise<void> {
    try {
      await this.bus.subscribe(this.options.name, (message) => this.receive(message));
    } catch (error) {
      // Left distrusted: every read goes to what is behind the caches, as before they existed.
      this.logger.error(`${this.options.name}: cannot subscribe to invalidations`, {
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    this.bus.watchDelivery((live) => this.setLive(live));
  }

  /**
   * After a write: drops this process's entry now, and once the write has committed, drops it again
   * (a read here may have stored the old row meanwhile) and tells every process. Resolves when that
   * is done, so the response to the write leaves after the message.
   */
  async invalidate(change: M): Promise<void> {
    this.options.apply(change);
    await this.database.afterCommit(() => this.announce(change));
  }

  /**
   * Publishes, then waits for our own copy of the message. Redis writes a published message to all
   * subscriber connections in one pass, so when ours is back, every other process's copy is on its
   * way and ahead of any request the client can send after our response. One more turn of the event
   * loop lets copies that arrived together with ours (other containers in one process, in tests) be
   * read first. No echo within ECHO_TIMEOUT_MS (Redis slow or down): return anyway.
   */
  private async announce(change: M): Promise<void> {
    this.options.apply(change);
    const nonce = randomUUID();
    const echoed = this.live ? this.echo(nonce) : undefined;
    await this.bus.publish(this.options.name, { ...change, nonce });
    await echoed;
  }

  private echo(nonce: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.echoes.delete(nonce);
        setImmediate(resolve);
      };
      const timer = setTimeout(done, ECHO_TIMEOUT_MS).unref();
      this.echoes.set(nonce, done);
    });
  }

  private receive(message: JsonValue): void {
    const parsed = this.options.message.safeParse(message);
    if (!parsed.success) {
      // From a newer release, perhaps, which knows of a change we cannot name: forget everything.
      this.logger.warn(`${this.options.name}: an invalidation this release does not understand; cleared every entry`);
      for (const cache of this.options.caches) cache.clear();
      return;
    }
    this.options.apply(parsed.data);
    const nonce = typeof message === "object" && message !== null && "nonce" in message ? message.nonce : undefined;
    if (typeof nonce === "string") this.echoes.get(nonce)?.();
  }

  private setLive(live: boolean): void {
    this.live = live;
    for (const cache of this.options.caches) {
      if (live) cache.trust();
      else cache.distrust();
    }
    // No echo will come while delivery is down; nobody should wait for one.
    if (!live) for (const done of [...this.echoes.values()]) done();
  }
}
