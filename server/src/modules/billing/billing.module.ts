import { ContainerModule, type Newable } from "inversify";
import { NEW_USER_HOOK } from "../identity/application/index.js";
import { CREDIT_HISTORY } from "./application/credit-history.js";
import { CREDIT_LEDGER } from "./application/credit-ledger.js";
import { GetBalanceQuery } from "./application/get-balance.query.js";
import { GetPricesQuery } from "./application/get-prices.query.js";
import { GrantCreditsUseCase } from "./application/grant-credits.use-case.js";
import { ListLedgerQuery } from "./application/list-ledger.query.js";
import { SignupGrantHook } from "./application/signup-grant.hook.js";
import { PrismaCreditHistory } from "./infra/prisma-credit-history.js";
import { PrismaCreditLedger } from "./infra/prisma-credit-ledger.js";

const useCases: Newable<object>[] = [GetBalanceQuery, GetPricesQuery, ListLedgerQuery, GrantCreditsUseCase];

export const billingModule = new ContainerModule(({ bind }) => {
  bind(CREDIT_LEDGER).to(PrismaCreditLedger).inSingletonScope();
  bind(CREDIT_HISTORY).to(PrismaCreditHistory).inSingletonScope();
  bind(NEW_USER_HOOK).to(SignupGrantHook).inSingletonScope();
  for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
});
