import type { Tier } from "../../../shared/domain/roles.js";
import { BillingErrors } from "./billing.errors.js";

/**
 * The quality names, as the cost table needs them. shared/domain/quality.ts (the Quality value
 * object with sizes and bitrates) owns this union; billing depends on the names alone.
 */
export type QualityName = "P360" | "P720" | "P1080";

/** Per started minute of the source; the price list credits.prices publishes. */
export const TRANSCODE_CREDITS_PER_MINUTE: Readonly<Record<QualityName, number>> = { P360: 1, P720: 2, P1080: 4 };

/** A generation job costs the same whatever its length. */
export const GENERATION_COST = 5;

/** The most an administrator can grant at once: a typo of a few digits must not mint millions. */
export const MAX_ADMIN_GRANT = 1_000_000;

/** A balance stays far below PostgreSQL's int4 limit (2^31 - 1), so no sum can overflow. */
export const MAX_BALANCE = 1_000_000_000;

/** ceil(source minutes) × 1 / 2 / 4 for P360 / P720 / P1080; every job pays for at least one minute. */
export function transcodeCost(durationSeconds: number, quality: QualityName): number {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) throw BillingErrors.invalidDuration(durationSeconds);
  const minutes = Math.max(1, Math.ceil(durationSeconds / 60));
  return minutes * TRANSCODE_CREDITS_PER_MINUTE[quality];
}

/** The grant at sign-up, by the tier the account starts with; a later tier change grants nothing. */
export function signupGrant(tier: Tier): number {
  return tier === "PREMIUM" ? 300 : 30;
}

/** Every ledger write moves a whole, positive number of credits; the sign comes from the entry's kind. */
export function assertCreditAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_BALANCE) throw BillingErrors.invalidAmount(amount);
}

/** `credits.low`: a charge took the balance from at or above the threshold to under it (once per crossing). */
export function fellUnder(threshold: number, before: number, after: number): boolean {
  return after < threshold && before >= threshold;
}
