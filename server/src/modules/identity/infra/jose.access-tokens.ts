import { SignJWT, jwtVerify } from "jose";
import type { AccessTokenClaims, AccessTokens, IssuedAccessToken } from "../application/access-tokens.js";
import { IdentityErrors } from "../domain/identity.errors.js";
import type { Clock } from "../../../shared/application/clock.js";

const ALGORITHM = "HS256";

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
      });
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw IdentityErrors.invalidAccessToken();
      return { userId: payload.sub, sessionId: payload.sid };
    } catch {
      throw IdentityErrors.invalidAccessToken();
    }
  }
}
