import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { AUDIT_LOG, type AuditLog } from "../../audit/application/index.js";
import { GetUserQuery } from "../../identity/application/index.js";
import { BillingErrors } from "../domain/billing.errors.js";
import { MAX_ADMIN_GRANT, assertCreditAmount } from "../domain/credit-rules.js";
import { CREDIT_LEDGER, type CreditLedger } from "./credit-ledger.js";

export interface GrantCreditsInput {
  userId: string;
  amount: number;
  reason?: string | undefined;
}

/** admin.users.grantCredits: the entry and its audit row commit together or not at all. */
@injectable()
export class GrantCreditsUseCase {
  constructor(
    @inject(CREDIT_LEDGER) private readonly ledger: CreditLedger,
    @inject(AUDIT_LOG) private readonly audit: AuditLog,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(GetUserQuery) private readonly users: GetUserQuery,
  ) {}

  async execute(caller: Caller, input: GrantCreditsInput): Promise<{ balance: number }> {
    assertCreditAmount(input.amount);
    if (input.amount > MAX_ADMIN_GRANT) throw BillingErrors.invalidAmount(input.amount);
    // USER_NOT_FOUND (404) rather than a foreign-key failure from the ledger.
    await this.users.forWrite(input.userId);
    const reason = input.reason ?? null;
    return this.unitOfWork.run(async () => {
      const { balanceAfter } = await this.ledger.grant({
        userId: input.userId,
        amount: input.amount,
        kind: "ADMIN_GRANT",
        actorId: caller.userId,
        reason,
      });
      await this.audit.record({
        actorId: caller.userId,
        action: "credits.granted",
        targetType: "user",
        targetId: input.userId,
        metadata: { amount: input.amount, balanceAfter, reason },
      });
      return { balance: balanceAfter };
    });
  }
}
