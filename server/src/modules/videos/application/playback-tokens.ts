import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { inject, injectable } from "inversify";
import { LRUCache } from "lru-cache";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { PlaybackErrors } from "../domain/playback.errors.js";

/** What a playback token grants: the playlists of one video until `expires` (Unix seconds). */
export interface PlaybackClaims {
  videoId: string;
  expires: number;
  /** Random, per token: views are counted by it (the token itself is never stored). */
  tokenId: string;
}

const VERSION = 1;
/** Bound into every MAC, so no other HMAC the key might ever sign can pass for a playback token. */
const AUDIENCE = "reelbase/playback";
const ID_BYTES = 16;
const TOKEN_ID_BYTES = 12;
const MAC_BYTES = 16;
const CLAIM_BYTES = 1 + ID_BYTES + 4 + TOKEN_ID_BYTES;
const TOKEN_BYTES = CLAIM_BYTES + MAC_BYTES;
/** base64url of TOKEN_BYTES, unpadded. */
const TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_LENGTH}}$`);
/** Tokens whose MAC checked out, so a player's repeated fetches cost a lookup instead of an HMAC. */
const REMEMBERED_TOKENS = 10_000;

/**
 * Compact HMAC-SHA256 tokens for the path of /play/{token}/…: version, video id, expiry (seconds)
 * and a random token id in 33 bytes, then a 128-bit truncated MAC; 66 URL-safe characters in all.
 */
@injectable()
export class PlaybackTokens {
  private readonly key: Buffer;
  private readonly genuine = new LRUCache<string, PlaybackClaims>({ max: REMEMBERED_TOKENS });

  constructor(
    @inject(APP_CONFIG) config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {
    this.key = Buffer.from(config.playback.tokenSecret, "utf8");
  }

  issue(videoId: string, expiresInSeconds: number): { token: string; claims: PlaybackClaims } {
    const expires = Math.floor(this.clock.now().getTime() / 1000) + expiresInSeconds;
    const tokenId = randomBytes(TOKEN_ID_BYTES);
    const claims = Buffer.alloc(CLAIM_BYTES);
    claims.writeUInt8(VERSION, 0);
    Buffer.from(videoId.replaceAll("-", ""), "hex").copy(claims, 1);
    claims.writeUInt32BE(expires, 1 + ID_BYTES);
    tokenId.copy(claims, 1 + ID_BYTES + 4);
    const token = Buffer.concat([claims, this.mac(claims)]).toString("base64url");
    return { token, claims: { videoId, expires, tokenId: tokenId.toString("base64url") } };
  }

  /** The claims of a genuine, unexpired token; PLAYBACK_TOKEN_INVALID or PLAYBACK_TOKEN_EXPIRED otherwise. */
  verify(token: string): PlaybackClaims {
    const claims = this.genuine.get(token) ?? this.authenticate(token);
    // Expiry is checked on every use, remembered or not.
    if (this.clock.now().getTime() >= claims.expires * 1000) throw PlaybackErrors.tokenExpired();
    return claims;
  }

  private authenticate(token: string): PlaybackClaims {
    if (!TOKEN_PATTERN.test(token)) throw PlaybackErrors.tokenInvalid();
    const bytes = Buffer.from(token, "base64url");
    // The last character carries 4 unused bits: only the canonical spelling of a token is that token.
    if (bytes.length !== TOKEN_BYTES || bytes.toString("base64url") !== token) throw PlaybackErrors.tokenInvalid();
    const claims = bytes.subarray(0, CLAIM_BYTES);
    if (!timingSafeEqual(bytes.subarray(CLAIM_BYTES), this.mac(claims)) || claims.readUInt8(0) !== VERSION) {
      throw PlaybackErrors.tokenInvalid();
    }
    const verified = {
      videoId: uuidOf(claims.subarray(1, 1 + ID_BYTES)),
      expires: claims.readUInt32BE(1 + ID_BYTES),
      tokenId: claims.subarray(1 + ID_BYTES + 4).toString("base64url"),
    };
    this.genuine.set(token, verified);
    return verified;
  }

  private mac(claims: Buffer): Buffer {
    return createHmac("sha256", this.key).update(AUDIENCE).update(claims).digest().subarray(0, MAC_BYTES);
  }
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
