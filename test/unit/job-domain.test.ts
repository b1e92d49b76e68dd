import { describe, expect, it } from "vitest";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { Job } from "../../server/src/modules/jobs/domain/job.entity.js";
import { canTransition, JOB_STATUSES, type JobStatus } from "../../server/src/modules/jobs/domain/job-status.js";
import {
  assertAcceptsJob,
  assertProcessable,
  statusWhenJobEnds,
  statusWhenJobStarts,
} from "../../server/src/modules/videos/domain/video-processing.js";

const now = new Date("2026-11-30T10:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

function newJob(): Job {
  return Job.create({
    videoId: "v",
    ownerId: "u",
    spec: { type: "TRANSCODE", params: { quality: "P720" } },
    creditsCharged: 4,
    idempotencyKey: null,
    now,
  });
}

describe("the job state machine", () => {
  it("allows exactly the transitions of docs/product-contract.md §1.4 and never leaves a terminal state", () => {
    const allowed: Record<JobStatus, JobStatus[]> = {
      QUEUED: ["RUNNING", "CANCELLED"],
      RUNNING: ["RUNNING", "QUEUED", "SUCCEEDED", "FAILED", "CANCELLED"],
      SUCCEEDED: [],
      FAILED: ["QUEUED"],
      CANCELLED: [],
    };
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed[from].includes(to));
    }
  });

  it("runs, reports forward-only progress capped below 100, and succeeds at 100", () => {
    const job = newJob();
    job.start(later(1));
    expect(job.toState()).toMatchObject({ status: "RUNNING", attempts: 1, progress: 0, startedAt: later(1) });
    expect(job.reportProgress(40.7, later(2))).toBe(true);
    expect(job.reportProgress(30, later(3))).toBe(false);
    expect(job.reportProgress(100, later(4))).toBe(true);
    expect(job.toState().progress).toBe(99);
    job.succeed(later(5));
    expect(job.toState()).toMatchObject({ status: "SUCCEEDED", progress: 100, finishedAt: later(5) });
    expect(job.owesRefund).toBe(false);
  });

  it("goes back to the queue after a transient failure while attempts remain, then fails for good", () => {
    const job = newJob();
    for (let attempt = 1; attempt <= 2; attempt++) {
      job.start(later(attempt));
      job.fail("network hiccup", { permanent: false }, later(attempt));
      expect(job.status).toBe("QUEUED");
    }
    job.start(later(3));
    job.fail("network hiccup", { permanent: false }, later(3));
    expect(job.toState()).toMatchObject({ status: "FAILED", attempts: 3, lastError: "network hiccup" });
    expect(job.owesRefund).toBe(true);
  });

  it("fails at once on a permanent failure, keeping only the start of a long error", () => {
    const job = newJob();
    job.start(later(1));
    job.fail("x".repeat(5000), { permanent: true }, later(2));
    expect(job.status).toBe("FAILED");
    expect(job.toState().lastError).toHaveLength(1000);
  });

  it("refuses illegal transitions with a domain error, and counts a revision per change", () => {
    const job = newJob();
    expect(() => job.succeed(later(1))).toThrow(DomainError);
    job.cancel(later(1));
    expect(job.owesRefund).toBe(true);
    expect(() => job.start(later(2))).toThrow(DomainError);
    expect(job.toState().revision).toBe(1);
    expect(job.expectedRevision).toBe(0);
    job.markSaved();
    expect(job.expectedRevision).toBe(1);
  });

  it("matches a repeated request only with the same video, type and quality", () => {
    const job = newJob();
    expect(job.isSameRequest({ videoId: "v", spec: { type: "TRANSCODE", params: { quality: "P720" } } })).toBe(true);
    expect(job.isSameRequest({ videoId: "v", spec: { type: "TRANSCODE", params: { quality: "P360" } } })).toBe(false);
    expect(job.isSameRequest({ videoId: "w", spec: { type: "TRANSCODE", params: { quality: "P720" } } })).toBe(false);
    const generate = { type: "GENERATE" as const, params: { quality: "P720" as const, script: "Hi.", voice: "en-us" as const } };
    expect(job.isSameRequest({ videoId: "v", spec: generate })).toBe(false);
  });

  it("matches a repeated generation by its script, voice and quality, whatever video it made", () => {
    const params = { quality: "P360" as const, script: "Hello there.", voice: "en-gb" as const };
    const job = Job.create({
      videoId: "v",
      ownerId: "u",
      spec: { type: "GENERATE", params },
      creditsCharged: 5,
      idempotencyKey: "k",
      now,
    });
    expect(job.isSameRequest({ videoId: null, spec: { type: "GENERATE", params: { ...params } } })).toBe(true);
    expect(job.isSameRequest({ videoId: null, spec: { type: "GENERATE", params: { ...params, script: "Hello." } } })).toBe(false);
    expect(job.isSameRequest({ videoId: null, spec: { type: "GENERATE", params: { ...params, voice: "de" } } })).toBe(false);
    expect(job.isSameRequest({ videoId: null, spec: { type: "TRANSCODE", params: { quality: "P360" } } })).toBe(false);
    expect(job.paramsOf("GENERATE")).toEqual(params);
    expect(() => job.paramsOf("TRANSCODE")).toThrow();
  });

  it("retries only a FAILED job: a new run, attempts and progress from zero, charged again, its own provider key", () => {
    const job = newJob();
    expect(job.runKey).toBe(job.id);
    expect(() => job.retry(4, later(1))).toThrow(DomainError);
    job.start(later(1));
    job.fail("broken", { permanent: true }, later(2));
    job.retry(6, later(3));
    expect(job.toState()).toMatchObject({
      status: "QUEUED",
      run: 2,
      attempts: 0,
      progress: 0,
      creditsCharged: 6,
      finishedAt: null,
    });
    expect(job.runKey).toBe(`${job.id}-1`);
    expect(() => job.retry(6, later(4))).toThrow(DomainError);
    job.start(later(5));
    job.fail("broken again", { permanent: true }, later(6));
    job.retry(6, later(7));
    expect(job.runKey).toBe(`${job.id}-2`);
  });

  it("hands a running job back without using up an attempt, however often its process is stopped", () => {
    const job = newJob();
    for (let stop = 1; stop <= 5; stop++) {
      job.start(later(stop));
      expect(job.attempts).toBe(1);
      job.requeue(later(stop));
      expect(job.toState()).toMatchObject({ status: "QUEUED", attempts: 0, progress: 0 });
    }
    job.start(later(6));
    job.fail("broken", { permanent: false }, later(7));
    expect(job.toState()).toMatchObject({ status: "QUEUED", attempts: 1 });
  });

  it("never fails or hands back a job that is not running", () => {
    const job = newJob();
    expect(() => job.requeue(later(1))).toThrow(DomainError);
    expect(() => job.fail("x", { permanent: false }, later(1))).toThrow(DomainError);
  });
});

describe("a video's status under its jobs", () => {
  it("may be processed once uploaded, also while processing, when ready and after a failure", () => {
    for (const status of ["UPLOADED", "PROCESSING", "READY", "FAILED"] as const)
      expect(() => assertProcessable(status)).not.toThrow();
    for (const status of ["DRAFT", "UPLOADING"] as const) expect(() => assertProcessable(status)).toThrow(DomainError);
    expect(statusWhenJobStarts("UPLOADED")).toBe("PROCESSING");
    expect(statusWhenJobStarts("FAILED")).toBe("PROCESSING");
    expect(statusWhenJobStarts("READY")).toBeNull();
  });

  it("becomes READY on any success, and otherwise waits for the last job", () => {
    const none = { otherJobsActive: false, hasRendition: false, hasSource: true };
    expect(statusWhenJobEnds("PROCESSING", { ...none, end: "SUCCEEDED" })).toBe("READY");
    expect(statusWhenJobEnds("PROCESSING", { ...none, end: "FAILED" })).toBe("FAILED");
    expect(statusWhenJobEnds("PROCESSING", { ...none, end: "CANCELLED" })).toBe("UPLOADED");
    expect(statusWhenJobEnds("PROCESSING", { ...none, end: "FAILED", otherJobsActive: true })).toBeNull();
    expect(statusWhenJobEnds("PROCESSING", { ...none, end: "FAILED", hasRendition: true })).toBe("READY");
    expect(statusWhenJobEnds("READY", { ...none, end: "FAILED" })).toBeNull();
  });

  it("takes a generation from DRAFT, and fails it when it is cancelled with no source to go back to", () => {
    expect(() => assertAcceptsJob({ status: "DRAFT", hasSource: false }, "none")).not.toThrow();
    expect(() => assertAcceptsJob({ status: "FAILED", hasSource: false }, "none")).not.toThrow();
    expect(() => assertAcceptsJob({ status: "UPLOADED", hasSource: true }, "none")).toThrow(DomainError);
    expect(() => assertAcceptsJob({ status: "DRAFT", hasSource: false }, "source")).toThrow(DomainError);
    expect(() => assertAcceptsJob({ status: "READY", hasSource: true }, "source")).not.toThrow();
    expect(statusWhenJobStarts("DRAFT")).toBe("PROCESSING");
    const generated = { otherJobsActive: false, hasRendition: false, hasSource: false };
    expect(statusWhenJobEnds("PROCESSING", { ...generated, end: "CANCELLED" })).toBe("FAILED");
    expect(statusWhenJobEnds("PROCESSING", { ...generated, end: "SUCCEEDED" })).toBe("READY");
  });
});
