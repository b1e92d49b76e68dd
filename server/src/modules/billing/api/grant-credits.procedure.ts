import { adminProcedure } from "../../../trpc/init.js";
import { GrantCreditsUseCase } from "../application/grant-credits.use-case.js";
import { balanceOutput, grantCreditsInput } from "./credits.schemas.js";

/** admin.users.grantCredits: mounted next to identity's admin users procedures by the app router, implemented here. */
export const grantCreditsProcedure = adminProcedure
  .input(grantCreditsInput)
  .output(balanceOutput)
  .mutation(({ ctx, input }) => ctx.resolve(GrantCreditsUseCase).execute(ctx.caller, input));
