import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { EVENT_BUS, listen, type EventBus } from "../../../shared/application/event-bus.js";
import { isTerminal } from "../domain/job-status.js";
import { JobAccess } from "./job-access.js";
import { jobChannel, toJobEvent, type JobEvent } from "./job-events.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** Events are hints (the bus may drop one): with none for this long, the row is read again. */
export const WATCH_REREAD_MS = 2_000;

/**
 * jobs.onProgress: the job's current state first, then each newer state, ending with the first
 * terminal one. States are ordered by the job's revision, which is also the event id a client
 * resumes from: after a reconnect it gets the current state if it is newer than what it saw, so
 * no change is missed (intermediate progress values may be skipped; they are superseded).
 */
@injectable()
export class WatchJobUseCase {
  constructor(
    @inject(JobAccess) private readonly access: JobAccess,
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  /** Checks access before the stream starts, so a stranger gets NOT_FOUND rather than an empty stream. */
  async execute(
    caller: Caller,
    input: { id: string; lastEventId?: string | null | undefined },
    signal?: AbortSignal,
  ): Promise<AsyncGenerator<JobEvent>> {
    await this.access.visible(caller, input.id);
    return this.stream(input, signal);
  }

  private async *stream(
    input: { id: string; lastEventId?: string | null | undefined },
    signal?: AbortSignal,
  ): AsyncGenerator<JobEvent> {
    const stop = new AbortController();
    signal?.addEventListener("abort", () => stop.abort(), { once: true });
    // Subscribe before reading, so a change between the read and the subscription is not lost.
    const events = await listen(this.bus, jobChannel(input.id), { signal: stop.signal, bufferSize: 16 });
    const reader = new PatientReader(events);
    let last = parseRevision(input.lastEventId);
    try {
      while (!stop.signal.aborted) {
        const current = await this.jobs.findById(input.id);
        if (!current) return;
        const state = toJobEvent(current);
        if (state.revision > last) {
          last = state.revision;
          yield state;
        }
        if (isTerminal(state.status)) return;
        for (let event = await reader.next(WATCH_REREAD_MS); event; event = await reader.next(WATCH_REREAD_MS)) {
          if (event.revision <= last) continue;
          last = event.revision;
          yield event;
          if (isTerminal(event.status)) return;
        }
      }
    } finally {
      stop.abort();
      await events.close();
    }
  }
}

function parseRevision(lastEventId: string | null | undefined): number {
  const revision = lastEventId ? Number(lastEventId) : NaN;
  return Number.isSafeInteger(revision) ? revision : -1;
}

/**
 * Reads a stream with a deadline per read. A read that timed out stays pending and is picked up by
 * the next call, so no event is lost and the stream never has two reads in flight.
 */
class PatientReader {
  private pending: Promise<IteratorResult<unknown>> | null = null;
  private ended = false;

  constructor(private readonly events: AsyncIterator<unknown>) {}

  /** The next job event, or null once `ms` pass without one (the caller then re-reads the row). */
  async next(ms: number): Promise<JobEvent | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    try {
      if (this.ended) return await timeout;
      this.pending ??= this.events.next();
      const next = await Promise.race([this.pending, timeout]);
      if (!next) return null;
      this.pending = null;
      if (next.done) {
        this.ended = true;
        return null;
      }
      return isJobEvent(next.value) ? next.value : null;
    } finally {
      clearTimeout(timer);
    }
  }
}
function isJobEvent(value: unknown): value is JobEvent {
  return (
    typeof value === "object" && value !== null && "revision" in value && typeof value.revision === "number" && "status" in value
  );
}
