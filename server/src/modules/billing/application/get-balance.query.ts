import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CREDIT_LEDGER, type CreditLedger } from "./credit-ledger.js";

/** credits.balance: always the caller's own account. */
@injectable()
export class GetBalanceQuery {
  constructor(@inject(CREDIT_LEDGER) private readonly ledger: CreditLedger) {}

  async execute(caller: Caller): Promise<{ balance: number }> {
    return { balance: await this.ledger.balanceOf(caller.userId) };
  }
}
