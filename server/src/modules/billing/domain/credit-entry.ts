export const CREDIT_ENTRY_KINDS = ["GRANT", "CHARGE", "REFUND", "ADMIN_GRANT"] as const;
export type CreditEntryKind = (typeof CREDIT_ENTRY_KINDS)[number];

/**
 * One line of a user's ledger. `amount` is signed: negative for a CHARGE, positive for every other
 * kind, so a user's amounts sum to the balance and `balanceAfter` is the previous one plus `amount`.
 */
export interface CreditEntry {
  id: string;
  userId: string;
  /** 1, 2, 3… per user, in the order the balance changed. */
  seq: number;
  kind: CreditEntryKind;
  amount: number;
  balanceAfter: number;
  jobId: string | null;
  reason: string | null;
  actorId: string | null;
  createdAt: Date;
}
