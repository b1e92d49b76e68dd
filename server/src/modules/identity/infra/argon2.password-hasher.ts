import { hash, verify } from "@node-rs/argon2";
import pLimit, { type LimitFunction } from "p-limit";
import type { PasswordHasher } from "../application/password-hasher.js";

/** The two calls this adapter makes; a test can wrap the real ones to observe how many run at once. */
export interface Argon2Functions {
  hash: typeof hash;
  verify: typeof verify;
}

export interface Argon2HasherOptions {
  memoryKib: number;
  timeCost: number;
  /** How many hash/verify calls may run at once; the rest wait their turn, first come first served. */
  concurrency: number;
}

/**
 * argon2id (the library's default algorithm) computed on libuv's thread pool, so hashing
 * never blocks the event loop. Parameters default to OWASP's 19 MiB / 2 iterations.
 *
 * Each call keeps a core busy for tens of milliseconds, and the pool has 4 threads: left alone,
 * a burst of logins takes every core and starves the event loop that serves all other requests.
 * Hash and verify therefore share one limiter, sized to the cores the loop can spare.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly limit: LimitFunction;

  constructor(
    private readonly options: Argon2HasherOptions,
    private readonly argon2: Argon2Functions = { hash, verify },
  ) {
    this.limit = pLimit(options.concurrency);
  }

  /** Calls running now, and calls waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.limit.activeCount, waiting: this.limit.pendingCount };
  }

  hash(password: string): Promise<string> {
    const { memoryKib, timeCost } = this.options;
    return this.limit(() => this.argon2.hash(password, { memoryCost: memoryKib, timeCost, parallelism: 1 }));
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.limit(() => this.argon2.verify(passwordHash, password));
    } catch {
      // A malformed stored hash must read as "wrong password", never as a server error.
      return false;
    }
  }
}
