export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export interface AccessTokens {
  issue(claims: AccessTokenClaims): Promise<IssuedAccessToken>;
  /** Throws the INVALID_ACCESS_TOKEN domain error for anything but a valid, unexpired token. */
  verify(token: string): Promise<AccessTokenClaims>;
}

export const ACCESS_TOKENS = Symbol.for("AccessTokens");
