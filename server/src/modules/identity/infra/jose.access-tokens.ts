import { SignJWT, jwtVerify, type CryptoKey } from "jose";
import { LRUCache } from "lru-cache";
import type { AccessTokenClaims, AccessTokens, IssuedAccessToken } from "../application/access-tokens.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { Clock } from "../../../shared/application/clock.js";
import { isUuid } from "../../../shared/domain/ids.js";

const ALGORITHM = "HS256";
/** Servers' clocks disagree by seconds, not minutes: enough for a token issued by a sibling instance. */
const CLOCK_SKEW_SECONDS = 30;
/** Tokens verified and remembered; beyond this many, the least recently used are verified again. */
const VERIFIED_TOKENS_MAX = 10_000;

/** The claims of a token whose signature checked out, and the times it was checked against. */
interface VerifiedToken {
  claims: AccessTokenClaims;
  iat: number;
  exp: number;
  nbf: number | undefined;
}

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/**
 * HS256 only: pinning the algorithm is what makes `alg: none` and key-confusion tokens fail.
 *
 * Every authenticated request verifies its token, and a client sends the same one for up to 15
 * minutes, so verified tokens are remembered (by their exact text: a changed byte is another
 * token, verified afresh) for no longer than they are valid. A remembered token is still checked
 * against the clock on every use. Failures are never remembered.
 */
export class JoseAccessTokens implements AccessTokens {
  private readonly secret: Uint8Array;
  /** Imported once: handing jose the raw bytes makes it import the key again on every call. */
  private key: Promise<CryptoKey> | undefined;
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: VERIFIED_TOKENS_MAX, ttlAutopurge: false });

  constructor(
    private readonly settings: JwtSettings,
    private readonly clock: Clock,
  ) {
    this.secret = new TextEncoder().encode(settings.secret);
  }

  async issue(claims: AccessTokenClaims): Promise<IssuedAccessToken> {
    const issuedAt = epochSeconds(this.clock.now());
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await this.hmacKey());
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const now = epochSeconds(this.clock.now());
    const remembered = this.verified.get(token);
    if (remembered) {
      if (!this.inTime(remembered, now)) throw IdentityErrors.invalidAccessToken();
      return { ...remembered.claims };
    }
    const verified = await this.verifySignedToken(token);
    // Kept while it can still be valid, at the latest clock the skew allows: exp, or the maximum age.
    const validUntil = Math.min(verified.exp, verified.iat + this.settings.ttlSeconds) + CLOCK_SKEW_SECONDS;
    this.verified.set(token, verified, { ttl: Math.max(1, (validUntil - now) * 1000) });
    return { ...verified.claims };
  }

  /**
   * The time rules jwtVerify applied, with the same tolerance, for a remembered token: the clock has
   * moved since (tests move it both ways; a server's may step back).
   */
  private inTime({ iat, exp, nbf }: VerifiedToken, now: number): boolean {
    const age = now - iat;
    return (
      exp > now - CLOCK_SKEW_SECONDS &&
      age - CLOCK_SKEW_SECONDS <= this.settings.ttlSeconds &&
      age >= -CLOCK_SKEW_SECONDS &&
      (nbf === undefined || nbf <= now + CLOCK_SKEW_SECONDS)
    );
  }

  private async verifySignedToken(token: string): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, await this.hmacKey(), {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: this.clock.now(),
        requiredClaims: ["sub", "exp", "iat"],
        // A token is at most one TTL old and never issued in the future, whatever its exp says.
        maxTokenAge: this.settings.ttlSeconds,
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      const { sub, sid, iat = 0, exp = 0, nbf } = payload;
      // We only issue UUIDs; anything else (signed with a leaked or test secret) must not reach SQL as an id.
      if (typeof sub !== "string" || typeof sid !== "string" || !isUuid(sub) || !isUuid(sid)) {
        throw IdentityErrors.invalidAccessToken();
      }
      // Refused at once rather than at maxTokenAge: we never issue a token that outlives the TTL.
      if (exp - iat > this.settings.ttlSeconds + CLOCK_SKEW_SECONDS) throw IdentityErrors.invalidAccessToken();
      return { claims: { userId: sub, sessionId: sid }, iat, exp, nbf };
    } catch {
      throw IdentityErrors.invalidAccessToken();
    }
  }

  private hmacKey(): Promise<CryptoKey> {
    this.key ??= crypto.subtle.importKey("raw", this.secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return this.key;
  }
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
