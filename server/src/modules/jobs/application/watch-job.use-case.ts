import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { JobAccess } from "./job-access.js";
import type { JobEvent } from "./job-events.js";
import { JobWatchers } from "./job-watchers.js";

export { WATCH_REREAD_MS } from "./job-watchers.js";

/**
 * jobs.onProgress: the job's current state first, then each newer state, ending with the first
 * terminal one. States are ordered by the job's revision, which is also the event id a client
 * resumes from: after a reconnect it gets the current state if it is newer than what it saw, so
 * no change is missed (intermediate progress values may be skipped; they are superseded).
 *
 * The streams of one job share one subscription, one re-read and one copy of each state
 * (JobWatchers): a thousand watchers of a job cost the process one watcher's work per event plus
 * a queue push each.
 */
@injectable()
export class WatchJobUseCase {
  constructor(
    @inject(JobAccess) private readonly access: JobAccess,
    @inject(JobWatchers) private readonly watchers: JobWatchers,
  ) {}

  /** Checks access before the stream starts, so a stranger gets NOT_FOUND rather than an empty stream. */
  async execute(
    caller: Caller,
    input: { id: string; lastEventId?: string | null | undefined },
    signal?: AbortSignal,
  ): Promise<AsyncIterableIterator<JobEvent>> {
    await this.access.visible(caller, input.id);
    return this.watchers.watch(input.id, parseRevision(input.lastEventId), signal);
  }
}

function parseRevision(lastEventId: string | null | undefined): number {
  const revision = lastEventId ? Number(lastEventId) : NaN;
  return Number.isSafeInteger(revision) ? revision : -1;
}
