import { inject, injectable } from "inversify";
import { EVENT_BUS, type EventBus, type JsonValue, type Subscription } from "../../../shared/application/event-bus.js";
import { isTerminal } from "../domain/job-status.js";
import { jobChannel, toJobEvent, type JobEvent } from "./job-events.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

/** Events are hints (the bus may drop one): with none for this long, the row is read again. */
export const WATCH_REREAD_MS = 2_000;

/** How many unread states one watcher keeps; past it the oldest is dropped (a newer one supersedes it). */
export const WATCHER_BUFFER = 16;

/**
 * The progress watchers of this process, by job. However many streams watch a job, the process
 * holds one event-bus subscription for it, one re-read timer and at most two row reads in flight
 * (one running, one queued for the watchers that joined meanwhile), and each state is one frozen
 * object handed to every watcher: the work per event and stream is a revision compare and a queue
 * push. A job's entry is made by its first watcher and removed (unsubscribed) with its last.
 */
@injectable()
export class JobWatchers {
  private readonly jobs = new Map<string, WatchedJob>();

  constructor(
    @inject(JOB_REPOSITORY) private readonly repository: Pick<JobRepository, "findById">,
    @inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  /**
   * The job's states newer than `afterRevision`: the current one first, then each change, ending
   * after the first terminal one, when the job is gone, or when `signal` aborts. Nothing is
   * subscribed until the first `next()`.
   */
  watch(jobId: string, afterRevision: number, signal?: AbortSignal): AsyncIterableIterator<JobEvent> {
    return new JobWatcher(() => this.join(jobId), afterRevision, signal);
  }

  /** How many jobs this process holds a subscription for (tests and diagnostics). */
  get watchedJobs(): number {
    return this.jobs.size;
  }

  private join(jobId: string): WatchedJob {
    let job = this.jobs.get(jobId);
    if (!job) {
      job = new WatchedJob(jobId, this.repository, this.bus, () => this.jobs.delete(jobId));
      this.jobs.set(jobId, job);
    }
    return job;
  }
}

/** One job's shared subscription, re-read timer and row reads, fanned out to its watchers. */
class WatchedJob {
  readonly watchers = new Set<JobWatcher>();
  private readonly subscribed: Promise<Subscription>;
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> | null = null;
  private queuedRead: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly jobId: string,
    private readonly repository: Pick<JobRepository, "findById">,
    bus: EventBus,
    private readonly forget: () => void,
  ) {
    this.subscribed = bus.subscribe(jobChannel(jobId), (message) => this.onMessage(message));
    this.timer = setTimeout(() => void this.read(), WATCH_REREAD_MS);
    this.timer.unref();
  }

  /** Resolves once messages published from now on reach `watcher`. */
  async add(watcher: JobWatcher): Promise<void> {
    this.watchers.add(watcher);
    await this.subscribed;
  }

  remove(watcher: JobWatcher): void {
    if (!this.watchers.delete(watcher) || this.watchers.size > 0 || this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.forget();
    void this.subscribed.then((subscription) => subscription.unsubscribe());
  }

  /**
   * Reads the row for every watcher present when the read starts. A read asked for while one is
   * running waits for it and runs once more (shared by everyone who asked meanwhile): a watcher
   * that has just subscribed must see a read that started after its subscription.
   */
  read(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.reading) {
      this.reading = this.readOnce().finally(() => (this.reading = null));
      return this.reading;
    }
    this.queuedRead ??= this.reading.then(() => {
      this.queuedRead = null;
      return this.read();
    });
    return this.queuedRead;
  }

  private async readOnce(): Promise<void> {
    const audience = [...this.watchers];
    this.timer.refresh();
    let state: JobEvent | null;
    try {
      const job = await this.repository.findById(this.jobId);
      state = job ? Object.freeze(toJobEvent(job)) : null;
    } catch (error) {
      for (const watcher of audience) watcher.fail(error);
      return;
    }
    for (const watcher of audience) {
      if (state) watcher.offer(state);
      else watcher.end();
    }
  }

  private onMessage(message: JsonValue): void {
    if (this.closed || !isJobEvent(message)) return;
    this.timer.refresh();
    const event = Object.freeze(message);
    for (const watcher of [...this.watchers]) watcher.offer(event);
  }
}

type Waiter = { resolve: (result: IteratorResult<JobEvent>) => void; reject: (error: unknown) => void };

/**
 * One stream's view of a watched job: the states it has not yet read, newer than the last one it
 * was given. A plain iterator rather than a generator, so `return()` (the client went away) ends it
 * at once even while a `next()` is waiting.
 */
class JobWatcher implements AsyncIterableIterator<JobEvent> {
  private job: WatchedJob | null = null;
  private queue: JobEvent[] = [];
  private waiter: Waiter | null = null;
  private failure: { error: unknown } | null = null;
  private starting: Promise<void> | null = null;
  /** No state will be added (terminal seen, job gone, closed); done once the queue is read. */
  private finished = false;
  private readonly onAbort = () => this.end();

  constructor(
    private readonly join: () => WatchedJob,
    /** The newest revision given to this watcher (or the client's lastEventId). */
    private last: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<JobEvent> {
    return this;
  }

  next(): Promise<IteratorResult<JobEvent>> {
    if (this.starting) return this.starting.then(() => this.next());
    if (!this.job && !this.finished) {
      this.starting = this.start().finally(() => (this.starting = null));
      return this.starting.then(() => this.next());
    }
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.failure) return this.raise(this.failure.error);
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<JobEvent>> {
    this.end();
    this.queue = [];
    return { value: undefined, done: true };
  }

  /** A newer state: handed to a waiting `next()`, or queued. */
  offer(event: JobEvent): void {
    if (this.finished) return;
    if (event.revision > this.last) {
      this.last = event.revision;
      if (this.waiter) {
        const { resolve } = this.waiter;
        this.waiter = null;
        resolve({ value: event, done: false });
      } else {
        if (this.queue.length >= WATCHER_BUFFER) this.queue.shift();
        this.queue.push(event);
      }
    }
    // A terminal state ends the stream even when the client had already seen it.
    if (isTerminal(event.status)) this.end();
  }

  /** No more states: a waiting `next()` (nothing is queued then) is done. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.signal?.removeEventListener("abort", this.onAbort);
    this.job?.remove(this);
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
  }

  /** The read failed: a waiting `next()` rejects with it, or the next one does. */
  fail(error: unknown): void {
    if (this.finished) return;
    const waiter = this.waiter;
    this.waiter = null;
    if (!waiter) this.failure = { error };
    this.end();
    waiter?.reject(error);
  }

  private raise(error: unknown): Promise<never> {
    this.failure = null;
    return Promise.reject(error);
  }

  /** Subscribe (shared), then read the row: a change between the read and the subscription is not lost. */
  private async start(): Promise<void> {
    if (this.signal?.aborted) {
      this.finished = true;
      return;
    }
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
    const job = this.join();
    this.job = job;
    await job.add(this);
    if (!this.finished) await job.read();
  }
}

function isJobEvent(value: JsonValue): value is JobEvent & { [key: string]: JsonValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.revision === "number" &&
    typeof value.status === "string" &&
    typeof value.jobId === "string"
  );
}
