export interface CreditLedger {
  /** Joins the caller's unit of work. INSUFFICIENT_CREDITS (422) and nothing written when the balance is short. */
  /** One charge per run of a job (`run` is 1, then one more per retry). */
  charge(input: { userId: string; amount: number; jobId: string; run: number }): Promise<{ balanceAfter: number }>;
  /** Gives back the run's charge exactly once, however many times it is called (concurrently too); false when already refunded or never charged. */
  refund(input: { jobId: string; run: number; reason: string }): Promise<boolean>;
  grant(input: {
    userId: string;
    amount: number;
    kind: "GRANT" | "ADMIN_GRANT";
    actorId?: string | null;
    reason?: string | null;
  }): Promise<{ balanceAfter: number }>;
  balanceOf(userId: string): Promise<number>;
}
export const CREDIT_LEDGER = Symbol.for("CreditLedger");
