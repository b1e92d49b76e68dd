import { SignJWT, jwtVerify } from "jose";
import type { AccessTokenClaims, AccessTokens, IssuedAccessToken } from "../application/access-tokens.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { Clock } from "../../../shared/application/clock.js";
import { isUuid } from "../../../shared/domain/ids.js";

const ALGORITHM = "HS256";
/** Servers' clocks disagree by seconds, not minutes: enough for a token issued by a sibling instance. */
const CLOCK_SKEW_SECONDS = 30;

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** HS256 only: pinning the algorithm is what makes `alg: none` and key-confusion tokens fail. */
export class JoseAccessTokens implements AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    private readonly settings: JwtSettings,
    private readonly clock: Clock,
  ) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  async issue(claims: AccessTokenClaims): Promise<IssuedAccessToken> {
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: this.clock.now(),
        requiredClaims: ["sub", "exp", "iat"],
        // A token is at most one TTL old and never issued in the future, whatever its exp says.
        maxTokenAge: this.settings.ttlSeconds,
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      const { sub, sid, iat = 0, exp = 0 } = payload;
      // We only issue UUIDs; anything else (signed with a leaked or test secret) must not reach SQL as an id.
      if (typeof sub !== "string" || typeof sid !== "string" || !isUuid(sub) || !isUuid(sid)) {
        throw IdentityErrors.invalidAccessToken();
      }
      // Refused at once rather than at maxTokenAge: we never issue a token that outlives the TTL.
      if (exp - iat > this.settings.ttlSeconds + CLOCK_SKEW_SECONDS) throw IdentityErrors.invalidAccessToken();
      return { userId: sub, sessionId: sid };
    } catch {
      throw IdentityErrors.invalidAccessToken();
    }
  }
}
