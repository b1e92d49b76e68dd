import { hash, verify } from "@node-rs/argon2";
import type { PasswordHasher } from "../application/password-hasher.js";

/**
 * argon2id (the library's default algorithm) computed on libuv's thread pool, so hashing
 * never blocks the event loop. Parameters default to OWASP's 19 MiB / 2 iterations.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  constructor(private readonly options: { memoryKib: number; timeCost: number }) {}

  hash(password: string): Promise<string> {
    return hash(password, { memoryCost: this.options.memoryKib, timeCost: this.options.timeCost, parallelism: 1 });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      // A malformed stored hash must read as "wrong password", never as a server error.
      return false;
    }
  }
}
