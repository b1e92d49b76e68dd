import { router, userProcedure } from "../../../trpc/init.js";
import { GetBalanceQuery } from "../application/get-balance.query.js";
import { GetPricesQuery } from "../application/get-prices.query.js";
import { ListLedgerQuery } from "../application/list-ledger.query.js";
import { balanceOutput, ledgerInput, ledgerOutput, pricesOutput, toCreditEntryDto } from "./credits.schemas.js";

/** Session only: no API-key scope covers credits (docs/adr/0012). */
export const creditsRouter = router({
  balance: userProcedure.output(balanceOutput).query(({ ctx }) => ctx.resolve(GetBalanceQuery).execute(ctx.caller)),

  /** The price list: the same numbers the charges use. */
  prices: userProcedure.output(pricesOutput).query(({ ctx }) => ctx.resolve(GetPricesQuery).execute(ctx.caller)),

  ledger: userProcedure
    .input(ledgerInput)
    .output(ledgerOutput)
    .query(async ({ ctx, input }) => {
      const page = await ctx.resolve(ListLedgerQuery).execute(ctx.caller, input);
      return { items: page.items.map(toCreditEntryDto), nextCursor: page.nextCursor };
    }),
});
