import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { z } from "zod";
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

type ProgressEnvelope = TrackedEnvelope<z.infer<typeof jobProgressOutput>>;

/**
 * Each state as the client gets it, made once per state however many streams carry it: every
 * watcher of a job is handed the same frozen state object (JobWatchers), so the output parse and
 * the envelope are made by the first stream and reused by the others.
 */
const envelopes = new WeakMap<JobEvent, ProgressEnvelope>();

function envelopeOf(event: JobEvent): ProgressEnvelope {
  const made = envelopes.get(event);
  if (made) return made;
  const { revision, ...progress } = event;
  // The job's revision is the SSE event id a reconnecting client sends back as lastEventId.
  const envelope = tracked(String(revision), jobProgressOutput.parse(progress));
  envelopes.set(event, envelope);
  return envelope;
}

/**
 * The watcher's states as tracked envelopes. A plain iterator, like the watcher: `return()` (the
 * client went away) reaches the watcher at once instead of waiting behind a pending `next()`.
 */
function asTracked(events: AsyncIterableIterator<JobEvent>): AsyncIterableIterator<ProgressEnvelope> {
  const iterator: AsyncIterableIterator<ProgressEnvelope> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const step = await events.next();
      return step.done ? { value: undefined, done: true } : { value: envelopeOf(step.value), done: false };
    },
    return: async () => {
      await events.return?.();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
