import { tracked } from "@trpc/server";
import { router, scopedProcedure } from "../../../trpc/init.js";
import { CancelJobUseCase } from "../application/cancel-job.use-case.js";
import { GetJobQuery } from "../application/get-job.query.js";
import { RetryJobUseCase } from "../application/retry-job.use-case.js";
import { ListJobsQuery } from "../application/list-jobs.query.js";
import type { JobEvent } from "../application/job-events.js";
import { WatchJobUseCase } from "../application/watch-job.use-case.js";
import { toJobDto } from "./job.mapper.js";
import { jobIdInput, jobOutput, jobPageOutput, jobProgressOutput, listJobsInput, watchJobInput } from "./jobs.schemas.js";

const reader = scopedProcedure("jobs:read");
const writer = scopedProcedure("jobs:write");

export const jobsRouter = router({
  get: reader
    .input(jobIdInput)
    .output(jobOutput)
    .query(async ({ ctx, input }) => toJobDto(await ctx.resolve(GetJobQuery).execute(ctx.caller, input.id))),

  list: reader
    .input(listJobsInput)
    .output(jobPageOutput)
    .query(async ({ ctx, input: { cursor, limit, ...filter } }) => {
      const page = await ctx.resolve(ListJobsQuery).execute(ctx.caller, filter, { cursor, limit });
      return { items: page.items.map(toJobDto), nextCursor: page.nextCursor };
    }),

  cancel: writer
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) => toJobDto(await ctx.resolve(CancelJobUseCase).execute(ctx.caller, input.id))),

  retry: writer
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(async ({ ctx, input }) => toJobDto(await ctx.resolve(RetryJobUseCase).execute(ctx.caller, input.id))),

  onProgress: reader
    .input(watchJobInput)
    .subscription(async ({ ctx, input, signal }) =>
      asTracked(await ctx.resolve(WatchJobUseCase).execute(ctx.caller, input, signal)),
    ),
});

/** The job's revision is the SSE event id a reconnecting client sends back as lastEventId. */
async function* asTracked(events: AsyncIterable<JobEvent>) {
  for await (const { revision, ...event } of events) yield tracked(String(revision), jobProgressOutput.parse(event));
}
