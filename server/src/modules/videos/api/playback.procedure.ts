import { scopedProcedure } from "../../../trpc/init.js";
import { GetPlaybackQuery } from "../application/get-playback.query.js";
import { playbackInput, playbackOutput } from "./playback.schemas.js";

/** videos.playback (docs/playback.md). */
export const playbackProcedure = scopedProcedure("videos:read")
  .input(playbackInput)
  .output(playbackOutput)
  .query(async ({ ctx, input }) => {
    const playback = await ctx.resolve(GetPlaybackQuery).execute(ctx.caller, input);
    return { ...playback, expiresAt: playback.expiresAt.toISOString() };
  });
