import { describe, expect, it } from "vitest";
import type { CancelJobUseCase } from "../../server/src/modules/jobs/application/cancel-job.use-case.js";
import { CancelVideoJobs } from "../../server/src/modules/jobs/application/cancel-video-jobs.js";
import type { JobRepository } from "../../server/src/modules/jobs/application/job.repository.js";
import type { JobStatus } from "../../server/src/modules/jobs/domain/job-status.js";
import type { Job } from "../../server/src/modules/jobs/domain/job.entity.js";
import { JobErrors } from "../../server/src/modules/jobs/domain/job.errors.js";

function setup(statusAfterRace: JobStatus) {
  const job = { id: "j1", status: "RUNNING" } as Job;
  const jobs = {
    listActiveByVideo: async () => [job],
    findById: async () => ({ ...job, status: statusAfterRace }) as Job,
  } as unknown as JobRepository;
  // The cancel loses to the job's own end: it is no longer cancellable.
  const cancel = {
    cancel: async () => Promise.reject(JobErrors.invalidState(statusAfterRace, "CANCELLED")),
  } as unknown as CancelJobUseCase;
  return new CancelVideoJobs(jobs, cancel);
}

describe("CancelVideoJobs", () => {
  it("lets a video's delete pass when a job ended on its own between the listing and the cancel", async () => {
    await expect(setup("FAILED").cancelAllOf("v1")).resolves.toBeUndefined();
    await expect(setup("SUCCEEDED").cancelAllOf("v1")).resolves.toBeUndefined();
  });

  it("still fails when the job is active and the cancel failed", async () => {
    await expect(setup("RUNNING").cancelAllOf("v1")).rejects.toThrow();
  });
});
