/** What presenting a stored refresh token means, decided from its record alone. */
export type RefreshTokenVerdict = "valid" | "reused" | "expired" | "revoked";

export interface RefreshTokenRecord {
  id: string;
  sessionId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  sessionRevokedAt: Date | null;
}

export function assessRefreshToken(token: RefreshTokenRecord, now: Date): RefreshTokenVerdict {
  if (token.sessionRevokedAt) return "revoked";
  // Reuse is checked before expiry: an old rotated token must still burn its family.
  if (token.rotatedAt) return "reused";
  if (token.expiresAt.getTime() <= now.getTime()) return "expired";
  return "valid";
}
