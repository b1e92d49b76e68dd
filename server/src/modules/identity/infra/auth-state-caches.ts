import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { TransactionProbe } from "../../../cache/cache-aside.js";
import { NearCache } from "../../../cache/near-cache.js";
import type { EventBus, JsonValue } from "../../../shared/application/event-bus.js";
import type { Logger } from "../../../shared/application/logger.js";
import type { ApiKeyState } from "../domain/api-key.entity.js";
import type { UserState } from "../domain/user.entity.js";

export const AUTH_INVALIDATION_CHANNEL = "auth:invalidate";

/** Per cache: a few MB at most, and more than the users, sessions and keys active at once in one process. */
const MAX_ENTRIES = 10_000;
/** How long a stale entry can outlive an invalidation that was lost without the bus noticing. */
const SAFETY_TTL_MS = 60_000;
/** How long a write waits for its own invalidation to come back through the bus (see `announce`). */
const ECHO_TIMEOUT_MS = 250;

const INVALIDATION_KINDS = ["user", "session", "userSessions", "apiKey"] as const;

/** `userSessions` names a user id: every session of that user. `apiKey` names the key's id. */
export interface AuthInvalidation {
  kind: (typeof INVALIDATION_KINDS)[number];
  id: string;
}

const wireMessage = z.object({ kind: z.enum(INVALIDATION_KINDS), id: z.string(), nonce: z.string().optional() });

export interface SessionEntry {
  userId: string;
}

/** What this needs of the database; `Database` has it. */
export interface CommitHooks extends TransactionProbe {
  afterCommit(effect: () => Promise<void>): Promise<void>;
}

/**
 * The process-local caches of authentication state (users by id, active sessions by id, API keys by
 * hash) and the invalidations that keep every process's copies fresh, on one event bus channel.
 * The repository decorators read through the caches and call `invalidate` after each write.
 */
export class AuthStateCaches {
  readonly users: NearCache<UserState>;
  readonly sessions: NearCache<SessionEntry>;
  /** Keyed by key hash: the lookup a request makes. */
  readonly apiKeys: NearCache<ApiKeyState>;
  private readonly echoes = new Map<string, () => void>();
  private live = false;

  constructor(
    private readonly bus: EventBus,
    private readonly database: CommitHooks,
    private readonly logger: Logger,
  ) {
    const cacheOptions = { maxEntries: MAX_ENTRIES, ttlMs: SAFETY_TTL_MS, transactions: database };
    this.users = new NearCache(cacheOptions);
    this.sessions = new NearCache(cacheOptions);
    this.apiKeys = new NearCache(cacheOptions);
  }

  /** Subscribes to the invalidations. The caches serve nothing until delivery is live. */
  async listen(): Promise<void> {
    try {
      await this.bus.subscribe(AUTH_INVALIDATION_CHANNEL, (message) => this.receive(message));
    } catch (error) {
      // Left distrusted: every request reads the repositories behind the caches, as before they existed.
      this.logger.error("auth caches: cannot subscribe to invalidations", {
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
  async invalidate(change: AuthInvalidation): Promise<void> {
    this.apply(change);
    await this.database.afterCommit(() => this.announce(change));
  }

  /**
   * Publishes, then waits for our own copy of the message. Redis writes a published message to all
   * subscriber connections in one pass, so when ours is back, every other process's copy is on its
   * way and ahead of any request the client can send after our response. One more turn of the event
   * loop lets copies that arrived together with ours (other containers in one process, in tests) be
   * read first. No echo within ECHO_TIMEOUT_MS (Redis slow or down): return anyway.
   */
  private async announce(change: AuthInvalidation): Promise<void> {
    this.apply(change);
    const nonce = randomUUID();
    const echoed = this.live ? this.echo(nonce) : undefined;
    await this.bus.publish(AUTH_INVALIDATION_CHANNEL, { ...change, nonce });
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
    const parsed = wireMessage.safeParse(message);
    if (!parsed.success) {
      // From a newer release, perhaps, which knows of a change we cannot name: forget everything.
      this.logger.warn("auth caches: an invalidation this release does not understand; cleared every entry");
      for (const cache of this.caches()) cache.clear();
      return;
    }
    this.apply(parsed.data);
    if (parsed.data.nonce !== undefined) this.echoes.get(parsed.data.nonce)?.();
  }

  private apply({ kind, id }: AuthInvalidation): void {
    switch (kind) {
      case "user":
        return this.users.delete(id);
      case "session":
        return this.sessions.delete(id);
      case "userSessions":
        return this.sessions.deleteWhere((session) => session.userId === id);
      case "apiKey":
        return this.apiKeys.deleteWhere((key) => key.id === id);
    }
  }

  private setLive(live: boolean): void {
    this.live = live;
    for (const cache of this.caches()) {
      if (live) cache.trust();
      else cache.distrust();
    }
    // No echo will come while delivery is down; nobody should wait for one.
    if (!live) for (const done of [...this.echoes.values()]) done();
  }

  private caches(): Array<Pick<NearCache<object>, "clear" | "trust" | "distrust">> {
    return [this.users, this.sessions, this.apiKeys];
  }
}
