export const AUDIT_ACTIONS = [
  "user.registered",
  "auth.login_failed",
  "auth.refresh_reused",
  "user.password_changed",
  "user.role_changed",
  "user.tier_changed",
  "user.disabled_changed",
  "api_key.created",
  "api_key.revoked",
  "video.deleted",
  "credits.granted",
  "webhook.created",
  "webhook.deleted",
  "webhook.secret_rotated",
  "webhook.disabled",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

/** A stored row. `action` is a plain string: rows outlive renamed or retired actions. */
export interface AuditRecord {
  id: string;
  actorId: string | null;
  action: string;
  metadata: Record<string, string | number | boolean | null>;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  correlationId: string | null;
  createdAt: Date;
}
