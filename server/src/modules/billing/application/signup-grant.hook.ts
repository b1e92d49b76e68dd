import { inject, injectable } from "inversify";
import type { NewUserHook } from "../../identity/application/index.js";
import type { Tier } from "../../../shared/domain/roles.js";
import { signupGrant } from "../domain/credit-rules.js";
import { CREDIT_LEDGER, type CreditLedger } from "./credit-ledger.js";

/** Opens the new user's account with the grant of their tier, inside the transaction that creates the user. */
@injectable()
export class SignupGrantHook implements NewUserHook {
  constructor(@inject(CREDIT_LEDGER) private readonly ledger: CreditLedger) {}

  async onUserCreated(user: { id: string; tier: Tier }): Promise<void> {
    await this.ledger.grant({ userId: user.id, amount: signupGrant(user.tier), kind: "GRANT", reason: "sign-up grant" });
  }
}
