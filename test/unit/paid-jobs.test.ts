import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { PaidJobs, type PaidJobRequest } from "../../server/src/modules/jobs/application/paid-jobs.js";
import type { JobRepository } from "../../server/src/modules/jobs/application/job.repository.js";
import type { CancelJobUseCase } from "../../server/src/modules/jobs/application/cancel-job.use-case.js";
import type { CreditLedger } from "../../server/src/modules/billing/application/index.js";
import type { VideoProcessing } from "../../server/src/modules/videos/application/index.js";
import type { Job } from "../../server/src/modules/jobs/domain/job.entity.js";
import type { Caller } from "../../server/src/shared/application/caller.js";
import type { JobQueue } from "../../server/src/shared/application/job-queue.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import type { Quality } from "../../server/src/shared/domain/quality.js";

const caller: Caller = { via: "session", userId: "u1", role: "USER", tier: "FREE", sessionId: "s" };
const now = new Date("2026-12-03T10:00:00Z");

/** In-memory ports that record what the service asked of them, in order. */
function harness(options: { queueDown?: boolean; insertLoses?: Job | "no-winner" } = {}) {
  const calls: string[] = [];
  const rows = new Map<string, Job>();
  const jobs: JobRepository = {
    async create(job) {
      calls.push(`jobs.create ${job.type}`);
      if (options.insertLoses) {
        if (options.insertLoses !== "no-winner") rows.set(options.insertLoses.id, options.insertLoses);
        return false;
      }
      rows.set(job.id, job);
      job.markSaved();
      return true;
    },
    async findById(id) {
      return rows.get(id) ?? null;
    },
    async findByIdempotencyKey(ownerId, key) {
      return [...rows.values()].find((job) => job.ownerId === ownerId && job.toState().idempotencyKey === key) ?? null;
    },
    async list() {
      return { items: [...rows.values()], nextCursor: null };
    },
    async findActive(videoId: string, quality: Quality) {
      return (
        [...rows.values()].find(
          (job) => job.videoId === videoId && job.quality === quality && (job.status === "QUEUED" || job.status === "RUNNING"),
        ) ?? null
      );
    },
    async listActiveByVideo() {
      return [];
    },
    async save(job) {
      calls.push(`jobs.save ${job.status}`);
      job.markSaved();
      return true;
    },
  };
  const ledger: Pick<CreditLedger, "charge"> = {
    async charge(input) {
      calls.push(`charge ${input.amount} run ${input.run}`);
      return { balanceAfter: 0 };
    },
  };
  const videos: Pick<VideoProcessing, "jobAccepted" | "createForGeneration"> = {
    async jobAccepted(videoId, job) {
      calls.push(`video ${videoId} accepts ${job.quality} from ${job.input}`);
    },
    async createForGeneration() {
      calls.push("video created");
      return "v-new";
    },
  };
  const queue: JobQueue = {
    async enqueue(id) {
      calls.push(`enqueue ${rows.get(id)?.type}`);
      if (options.queueDown) throw new Error("redis down");
    },
    async enqueueAgain() {
      calls.push("enqueue again");
    },
    async startConsuming() {},
  };
  const cancel: Pick<CancelJobUseCase, "cancel"> = {
    async cancel(id) {
      calls.push("cancelled and refunded");
      return rows.get(id) as Job;
    },
  };
  const unitOfWork = {
    async run<T>(work: () => Promise<T>): Promise<T> {
      calls.push("begin");
      try {
        const result = await work();
        calls.push("commit");
        return result;
      } catch (error) {
        calls.push("rollback");
        throw error;
      }
    },
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const service = new PaidJobs(
    jobs,
    ledger as CreditLedger,
    videos as VideoProcessing,
    queue,
    unitOfWork,
    { now: () => now },
    cancel as CancelJobUseCase,
    silent,
  );
  return { service, calls, rows };
}

const transcode = (quality: Quality = "P360", idempotencyKey: string | null = null): PaidJobRequest => ({
  target: { videoId: "v1" },
  spec: { type: "TRANSCODE", params: { quality } },
  credits: 2,
  idempotencyKey,
});

const errorCode = async (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );

describe("PaidJobs: starting a paid job of any type", () => {
  it("accepts the video's job, inserts it and charges its first run in one transaction, then enqueues", async () => {
    const { service, calls } = await harness();
    const job = await service.start(caller, transcode());
    expect(job.toState()).toMatchObject({ type: "TRANSCODE", status: "QUEUED", run: 1, creditsCharged: 2, videoId: "v1" });
    expect(calls).toEqual([
      "begin",
      "video v1 accepts P360 from source",
      "jobs.create TRANSCODE",
      "charge 2 run 1",
      "commit",
      "enqueue TRANSCODE",
    ]);
  });

  it("makes a generation's video inside the same transaction, and takes a job with no input", async () => {
    const { service, calls } = await harness();
    const job = await service.start(caller, {
      target: { createVideo: async () => (calls.push("video created"), "v-new") },
      spec: { type: "GENERATE", params: { quality: "P360", script: "Hi.", voice: "en-us" } },
      credits: 5,
      idempotencyKey: null,
    });
    expect(job.videoId).toBe("v-new");
    expect(calls.slice(0, 3)).toEqual(["begin", "video created", "video v-new accepts P360 from none"]);
  });

  it("refuses a quality above the caller's tier before touching anything", async () => {
    const { service, calls } = await harness();
    expect(await errorCode(service.start(caller, transcode("P1080")))).toBe("QUALITY_NOT_ALLOWED_FOR_TIER");
    expect(calls).toEqual([]);
  });

  it("replays an idempotency key with the same request, refuses it with another, charging nothing", async () => {
    const { service, calls } = await harness();
    const first = await service.start(caller, transcode("P360", "k"));
    calls.length = 0;
    expect((await service.start(caller, transcode("P360", "k"))).id).toBe(first.id);
    expect(await errorCode(service.start(caller, transcode("P720", "k")))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(calls).toEqual([]);
  });

  it("refuses a quality already queued with the active job's id", async () => {
    const { service } = await harness();
    const first = await service.start(caller, transcode());
    const refused = await service.start(caller, transcode()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).details).toEqual({ quality: "P360", jobId: first.id });
  });

  it("rolls back when the insert loses, then names the winner: a replay for the same key", async () => {
    const winner = await harness().service.start(caller, transcode("P360", "k"));
    const { service, calls } = await harness({ insertLoses: winner });
    expect((await service.start(caller, transcode("P360", "k"))).id).toBe(winner.id);
    expect(calls).not.toContain("charge 2 run 1");
    expect(calls).toContain("rollback");
  });

  it("replays the key when its job, committed by a racing request, is the active one it meets", async () => {
    const { service, rows } = await harness();
    const winner = await service.start(caller, transcode("P360", "k"));
    const { service: racing, calls } = await harness();
    // This request looked the key up before the winner committed; by the active check it has.
    const lookups: (Job | null)[] = [null, winner];
    const jobs = (racing as unknown as { jobs: JobRepository }).jobs;
    jobs.findByIdempotencyKey = async () => lookups.shift() ?? winner;
    jobs.findActive = async () => winner;
    expect((await racing.start(caller, transcode("P360", "k"))).id).toBe(winner.id);
    expect(calls).toEqual([]);
    expect(rows.size).toBe(1);
  });

  it("tells the caller to try again when the insert lost to a job that has ended since", async () => {
    const { service, calls } = await harness({ insertLoses: "no-winner" });
    expect(await errorCode(service.start(caller, transcode()))).toBe("CONCURRENT_MODIFICATION");
    expect(calls).toContain("rollback");
  });

  it("cancels and refunds a job the queue refuses, and answers 503", async () => {
    const { service, calls } = await harness({ queueDown: true });
    expect(await errorCode(service.start(caller, transcode()))).toBe("DEPENDENCY_UNAVAILABLE");
    expect(calls.slice(-2)).toEqual(["enqueue TRANSCODE", "cancelled and refunded"]);
  });
});

describe("PaidJobs: jobs.retry", () => {
  it("runs a FAILED job again: the next run, charged again, enqueued again", async () => {
    const { service, calls } = await harness();
    const job = await service.start(caller, transcode());
    job.start(now);
    job.fail("boom", { permanent: true }, now);
    calls.length = 0;
    const again = await service.retry(caller, job);
    expect(again.toState()).toMatchObject({ status: "QUEUED", run: 2, attempts: 0 });
    expect(calls).toEqual([
      "begin",
      "video v1 accepts P360 from source",
      "jobs.save QUEUED",
      "charge 2 run 2",
      "commit",
      "enqueue again",
    ]);
  });

  it("refuses a job that has not failed", async () => {
    const { service } = await harness();
    const job = await service.start(caller, transcode());
    expect(await errorCode(service.retry(caller, job))).toBe("JOB_INVALID_STATE");
  });
});
