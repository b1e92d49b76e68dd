import { z } from "zod";
import { InvalidationChannel, type CommitHooks } from "../../../cache/invalidation-channel.js";
import { NearCache } from "../../../cache/near-cache.js";
import type { EventBus } from "../../../shared/application/event-bus.js";
import type { Logger } from "../../../shared/application/logger.js";
import type { ApiKeyState } from "../domain/api-key.entity.js";
import type { UserState } from "../domain/user.entity.js";

export const AUTH_INVALIDATION_CHANNEL = "auth:invalidate";

/** Per cache: a few MB at most, and more than the users, sessions and keys active at once in one process. */
const MAX_ENTRIES = 10_000;
/** How long a stale entry can outlive an invalidation that was lost without the bus noticing. */
const SAFETY_TTL_MS = 60_000;

const INVALIDATION_KINDS = ["user", "session", "userSessions", "apiKey"] as const;

/** `userSessions` names a user id: every session of that user. `apiKey` names the key's id. */
export type AuthInvalidation = {
  kind: (typeof INVALIDATION_KINDS)[number];
  id: string;
};

const wireMessage = z.object({ kind: z.enum(INVALIDATION_KINDS), id: z.string() });

export interface SessionEntry {
  userId: string;
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
  private readonly channel: InvalidationChannel<AuthInvalidation>;

  constructor(bus: EventBus, database: CommitHooks, logger: Logger) {
    const cacheOptions = { maxEntries: MAX_ENTRIES, ttlMs: SAFETY_TTL_MS, transactions: database };
    this.users = new NearCache(cacheOptions);
    this.sessions = new NearCache(cacheOptions);
    this.apiKeys = new NearCache(cacheOptions);
    this.channel = new InvalidationChannel(bus, database, logger, {
      name: AUTH_INVALIDATION_CHANNEL,
      message: wireMessage,
      apply: (change) => this.apply(change),
      caches: [this.users, this.sessions, this.apiKeys],
    });
  }

  /** Subscribes to the invalidations. The caches serve nothing until delivery is live. */
  listen(): Promise<void> {
    return this.channel.listen();
  }

  /** After a write; see InvalidationChannel.invalidate. */
  invalidate(change: AuthInvalidation): Promise<void> {
    return this.channel.invalidate(change);
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
}
