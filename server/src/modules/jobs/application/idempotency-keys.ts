export interface IdempotencyKeys {
  /**
   * Clears the idempotency key of up to `limit` ended jobs (SUCCEEDED, FAILED, CANCELLED) created
   * before `createdBefore`, so the key can be used again; returns how many. The job rows stay.
   */
  forgetEnded(createdBefore: Date, limit: number): Promise<number>;
}

export const IDEMPOTENCY_KEYS = Symbol.for("IdempotencyKeys");
