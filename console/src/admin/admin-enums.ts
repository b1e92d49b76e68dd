import type { RouterInputs } from "../api/client";

export type Role = RouterInputs["admin"]["users"]["setRole"]["role"];
export type Tier = RouterInputs["admin"]["users"]["setTier"]["tier"];
export type AuditAction = NonNullable<RouterInputs["admin"]["audit"]["list"]["action"]>;

/*
 * The server's ROLES, TIERS and AUDIT_ACTIONS restated (the console imports no server code). Each is
 * the key set of a Record typed by the procedure's input, so tsc fails when the API's list changes.
 */
const ROLE_SET: Record<Role, true> = { USER: true, ADMIN: true };
const TIER_SET: Record<Tier, true> = { FREE: true, PREMIUM: true };
const AUDIT_ACTION_SET: Record<AuditAction, true> = {
  "user.registered": true,
  "auth.login_failed": true,
  "auth.refresh_reused": true,
  "user.password_changed": true,
  "user.role_changed": true,
  "user.tier_changed": true,
  "user.disabled_changed": true,
  "api_key.created": true,
  "api_key.revoked": true,
  "video.deleted": true,
  "credits.granted": true,
  "webhook.created": true,
  "webhook.deleted": true,
  "webhook.secret_rotated": true,
  "webhook.disabled": true,
};

export const ROLES = Object.keys(ROLE_SET) as Role[];
export const TIERS = Object.keys(TIER_SET) as Tier[];
export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_SET) as AuditAction[];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLE_SET, value);
}
export function isTier(value: string): value is Tier {
  return Object.hasOwn(TIER_SET, value);
}
export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTION_SET, value);
}
