import { z } from "zod";
import { toJobDto } from "../modules/jobs/api/job.mapper.js";
import {
  generateVideoInput,
  jobOutput,
  processLadderInput,
  processVideoInput,
  quoteVideoInput,
  quoteVideoOutput,
} from "../modules/jobs/api/jobs.schemas.js";
import { GenerateVideoUseCase } from "../modules/jobs/application/generate-video.use-case.js";
import { ProcessLadderUseCase } from "../modules/jobs/application/process-ladder.use-case.js";
import { ProcessVideoUseCase } from "../modules/jobs/application/process-video.use-case.js";
import { QuoteVideoQuery } from "../modules/jobs/application/quote-video.query.js";
import { toVideoDto } from "../modules/videos/api/video.mapper.js";
import { videoOutput } from "../modules/videos/api/videos.schemas.js";
import { GetVideoQuery } from "../modules/videos/application/get-video.query.js";
import { router, scopedProcedure } from "./init.js";

const writer = scopedProcedure("videos:write");
const reader = scopedProcedure("videos:read");

/**
 * The videos.* procedures the jobs context implements. They answer with both contexts' DTOs, so
 * they are put together here, where the API is composed, rather than in either context.
 */
export const videoJobsRouter = router({
  process: writer
    .input(processVideoInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) => toJobDto(await ctx.resolve(ProcessVideoUseCase).execute(ctx.caller, input))),

  /** Every rung the source can fill, one job each; rungs READY or active are skipped (a repeat answers no jobs). */
  processLadder: writer
    .input(processLadderInput)
    .output(z.object({ jobs: z.array(jobOutput) }))
    .mutation(async ({ ctx, input }) => ({
      jobs: (await ctx.resolve(ProcessLadderUseCase).execute(ctx.caller, input)).map(toJobDto),
    })),

  /** The cost of processing the video, per quality and for the ladder, and the balance: shown before confirming. */
  quote: reader
    .input(quoteVideoInput)
    .output(quoteVideoOutput)
    .query(({ ctx, input }) => ctx.resolve(QuoteVideoQuery).execute(ctx.caller, input.id)),

  generate: writer
    .input(generateVideoInput)
    .output(z.object({ video: videoOutput, job: jobOutput }))
    .mutation(async ({ ctx, input }) => {
      const job = await ctx.resolve(GenerateVideoUseCase).execute(ctx.caller, input);
      const video = await ctx.resolve(GetVideoQuery).execute(ctx.caller, job.videoId);
      return { video: toVideoDto(video), job: toJobDto(job) };
    }),
});
