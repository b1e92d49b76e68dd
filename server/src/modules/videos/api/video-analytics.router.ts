import { router, scopedProcedure } from "../../../trpc/init.js";
import { VideoAnalyticsQuery } from "../application/video-analytics.query.js";
import { videoAnalyticsInput, videoAnalyticsOutput } from "./video-analytics.schemas.js";

export const videoAnalyticsRouter = router({
  /** Views per UTC day of one video (owner or admin); docs/adr/0026. */
  analytics: scopedProcedure("videos:read")
    .input(videoAnalyticsInput)
    .output(videoAnalyticsOutput)
    .query(async ({ ctx, input }) => {
      const { range, total, days } = await ctx.resolve(VideoAnalyticsQuery).execute(ctx.caller, input);
      return { from: range.first, to: range.last, total, days };
    }),
});
