import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Page } from "../../../shared/application/pagination.js";
import type { CreditEntry } from "../domain/credit-entry.js";
import { CREDIT_HISTORY, type CreditHistory } from "./credit-history.js";

/** credits.ledger: the caller's own entries only; there is no user id in the input to tamper with. */
@injectable()
export class ListLedgerQuery {
  constructor(@inject(CREDIT_HISTORY) private readonly history: CreditHistory) {}

  execute(caller: Caller, page: { cursor?: string | undefined; limit: number }): Promise<Page<CreditEntry>> {
    return this.history.list(caller.userId, page);
  }
}
