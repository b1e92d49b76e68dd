import { createHash, randomBytes } from "node:crypto";

/**
 * Refresh tokens and API keys carry 256 random bits, so a fast hash is enough to store them:
 * there is nothing to brute-force, and lookups by hash stay a single index probe.
 */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashOpaqueToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export const API_KEY_PREFIX = "rb_live_";
/** Characters of a key kept in clear so a user can tell keys apart in a list. */
export const API_KEY_VISIBLE_LENGTH = API_KEY_PREFIX.length + 8;
