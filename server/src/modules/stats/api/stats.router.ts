import { adminProcedure } from "../../../trpc/init.js";
import { PlatformStatsQuery } from "../application/platform-stats.query.js";
import { platformStatsInput, platformStatsOutput } from "./stats.schemas.js";

/** admin.stats: the platform's numbers over whole UTC days (docs/adr/0026). */
export const platformStatsProcedure = adminProcedure
  .input(platformStatsInput)
  .output(platformStatsOutput)
  .query(async ({ ctx, input }) => {
    const { range, ...stats } = await ctx.resolve(PlatformStatsQuery).execute(input);
    return { from: range.first, to: range.last, ...stats };
  });
