import ipaddr from "ipaddr.js";
import type { Caller } from "../shared/application/caller.js";
import type { RateLimitName } from "../shared/application/rate-limits.js";

/**
 * The address a budget belongs to. An IPv4 address as it is (also when it arrives IPv4-mapped,
 * `::ffff:a.b.c.d`); an IPv6 address by its /64, the block one subscriber is given, so walking
 * through the addresses of one's own network does not buy new budgets. No address: one shared key.
 */
export function addressKey(ip: string | null | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return "unknown";
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((part) => part.toString(16)).join(":")}::/64`;
}

/** A user by session spends the user's budget; each API key has its own. */
export function callerKey(caller: Caller): string {
  return caller.via === "apiKey" ? `key:${caller.apiKeyId}` : `user:${caller.userId}`;
}

/** The email as the account lookup reads it (trimmed, lower case), so spelling variants share one budget. */
export function emailKey(rawInput: unknown): string {
  const email = typeof rawInput === "object" && rawInput !== null && "email" in rawInput ? rawInput.email : undefined;
  return typeof email === "string" ? email.trim().toLowerCase() : "";
}

export interface Who {
  ip: string | null;
  caller: Caller | undefined;
}

/** A procedure's own budget, spent on top of the caller's (or the address's) general one. */
export interface ProcedureLimit {
  limit: RateLimitName;
  key(who: Who, rawInput: unknown): string | undefined;
}

/**
 * The procedures with a budget of their own. Every attempt counts, the successful ones too: a
 * locked-out email is refused with the right password as well, until its window ends.
 */
export const PROCEDURE_LIMITS: Readonly<Record<string, ProcedureLimit>> = {
  "auth.login": { limit: "login", key: ({ ip }, input) => `${addressKey(ip)}|${emailKey(input)}` },
  "auth.register": { limit: "register", key: ({ ip }) => addressKey(ip) },
  "videos.createUpload": { limit: "upload", key: ({ caller }) => caller && `user:${caller.userId}` },
  "uploads.create": { limit: "upload", key: ({ caller }) => caller && `user:${caller.userId}` },
};
