import type { Page } from "../../../shared/application/pagination.js";
import type { CreditEntry } from "../domain/credit-entry.js";

/** The read side of the ledger: one user's entries, newest first. */
export interface CreditHistory {
  list(userId: string, page: { cursor?: string | undefined; limit: number }): Promise<Page<CreditEntry>>;
}

export const CREDIT_HISTORY = Symbol.for("CreditHistory");
