import { afterEach, describe, expect, it, vi } from "vitest";
import { InProcessEventBus } from "../../server/src/events/in-process.event-bus.js";
import { jobChannel, toJobEvent, type JobEvent } from "../../server/src/modules/jobs/application/job-events.js";
import { JobWatchers, WATCH_REREAD_MS, WATCHER_BUFFER } from "../../server/src/modules/jobs/application/job-watchers.js";
import { Job } from "../../server/src/modules/jobs/domain/job.entity.js";
import type { JobStatus } from "../../server/src/modules/jobs/domain/job-status.js";
import type { EventBus, JsonValue, Subscription } from "../../server/src/shared/application/event-bus.js";
import { silentLogger } from "../support/test-app.js";

/** The in-process bus, counting what reaches it. */
class CountingBus implements EventBus {
  subscribes = 0;
  unsubscribes = 0;
  private readonly inner = new InProcessEventBus(silentLogger);

  publish(channel: string, message: JsonValue): Promise<void> {
    return this.inner.publish(channel, message);
  }
  async subscribe(channel: string, handler: (message: JsonValue) => void): Promise<Subscription> {
    this.subscribes++;
    const subscription = await this.inner.subscribe(channel, handler);
    return {
      unsubscribe: async () => {
        this.unsubscribes++;
        await subscription.unsubscribe();
      },
    };
  }
  watchDelivery(listener: (live: boolean) => void): () => void {
    return this.inner.watchDelivery(listener);
  }
}

/** One job whose row the test moves along; `reads` counts the watchers' row reads. */
function scene() {
  let job = Job.create({
    videoId: "v",
    ownerId: "u",
    spec: { type: "TRANSCODE", params: { quality: "P720" } },
    creditsCharged: 4,
    idempotencyKey: null,
    now: new Date("2026-12-03T10:00:00Z"),
  });
  let reads = 0;
  const bus = new CountingBus();
  const repository = {
    findById: async (id: string) => {
      reads++;
      return id === job.id ? job : null;
    },
  };
  const watchers = new JobWatchers(repository, bus);
  /** Writes the row (and, unless `quiet`, publishes it as the job's event publisher does). */
  const write = async (status: JobStatus, progress: number, quiet = false) => {
    const state = job.toState();
    job = Job.rehydrate({ ...state, status, progress, revision: state.revision + 1 });
    if (!quiet) await bus.publish(jobChannel(job.id), toJobEvent(job));
  };
  return { id: job.id, bus, watchers, write, reads: () => reads };
}

async function drain(stream: AsyncIterator<JobEvent>, limit = 100): Promise<JobEvent[]> {
  const seen: JobEvent[] = [];
  for (let i = 0; i < limit; i++) {
    const step = await stream.next();
    if (step.done) return seen;
    seen.push(step.value);
  }
  throw new Error(`still open after ${limit} states`);
}

describe("JobWatchers: the progress streams of one job share one subscription", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives 100 watchers the current state first, then each change, from one subscription, and unsubscribes after the last", async () => {
    const { id, bus, watchers, write, reads } = scene();
    const streams = Array.from({ length: 100 }, () => watchers.watch(id, -1));
    const firsts = await Promise.all(streams.map((stream) => stream.next()));
    expect(firsts.map((step) => step.value?.revision)).toEqual(firsts.map(() => 0));
    expect(bus.subscribes).toBe(1);
    // One read for the first watcher, one more shared by every watcher that joined while it ran.
    expect(reads()).toBeLessThanOrEqual(2);

    await write("RUNNING", 10);
    await write("RUNNING", 50);
    await write("SUCCEEDED", 100);
    const rests = await Promise.all(streams.map((stream) => drain(stream)));
    for (const rest of rests)
      expect(rest.map((event) => [event.status, event.revision])).toEqual([
        ["RUNNING", 1],
        ["RUNNING", 2],
        ["SUCCEEDED", 3],
      ]);
    // One copy of each state for all of them (what lets the router parse it once).
    expect(new Set(rests.map((rest) => rest[0])).size).toBe(1);
    expect(bus.unsubscribes).toBe(1);
    expect(watchers.watchedJobs).toBe(0);
  });

  it("resumes after lastEventId: skips what was seen, and ends at once on a job that had ended", async () => {
    const { id, watchers, write } = scene();
    await write("RUNNING", 10);
    await write("SUCCEEDED", 100);
    expect((await drain(watchers.watch(id, 1))).map((event) => event.revision)).toEqual([2]);
    expect(await drain(watchers.watch(id, 2))).toEqual([]);
    expect(watchers.watchedJobs).toBe(0);
  });

  it("ends when the job is gone", async () => {
    const { watchers } = scene();
    expect(await drain(watchers.watch("00000000-0000-4000-8000-000000000000", -1))).toEqual([]);
  });

  it("a watcher nobody reads holds back no other, and keeps only its newest states", async () => {
    const { id, watchers, write } = scene();
    const stalled = watchers.watch(id, -1);
    const reader = watchers.watch(id, -1);
    await stalled.next();
    await reader.next();
    const received: number[] = [];
    for (let progress = 1; progress <= 30; progress++) {
      await write("RUNNING", progress);
      const step = await reader.next();
      received.push(step.value?.progress ?? -1);
    }
    expect(received).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await write("SUCCEEDED", 100);
    expect((await drain(reader)).map((event) => event.status)).toEqual(["SUCCEEDED"]);
    const late = await drain(stalled);
    expect(late).toHaveLength(WATCHER_BUFFER);
    expect(late.at(-1)?.status).toBe("SUCCEEDED");
    expect(late.map((event) => event.revision)).toEqual([...late.map((event) => event.revision)].sort((a, b) => a - b));
  });

  it("an abort or return() ends a watcher at once, even while its next() waits; the last one out unsubscribes", async () => {
    const { id, bus, watchers } = scene();
    const abort = new AbortController();
    const aborted = watchers.watch(id, -1, abort.signal);
    const returned = watchers.watch(id, -1);
    await aborted.next();
    await returned.next();
    const waiting = [aborted.next(), returned.next()];
    abort.abort();
    await returned.return?.();
    expect(await Promise.all(waiting)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(bus.unsubscribes).toBe(1);
    expect(watchers.watchedJobs).toBe(0);
  });

  it("re-reads the row once for all its watchers when no event came for a while (a dropped event is not lost)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { id, watchers, write, reads } = scene();
    const streams = [watchers.watch(id, -1), watchers.watch(id, -1), watchers.watch(id, -1)];
    await Promise.all(streams.map((stream) => stream.next()));
    const readsBefore = reads();
    await write("RUNNING", 40, true);
    const next = Promise.all(streams.map((stream) => stream.next()));
    await vi.advanceTimersByTimeAsync(WATCH_REREAD_MS);
    expect((await next).map((step) => step.value?.progress)).toEqual([40, 40, 40]);
    expect(reads() - readsBefore).toBe(1);
    for (const stream of streams) await stream.return?.();
  });
});
