import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { JobErrors } from "../../server/src/modules/jobs/domain/job.errors.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";
import { ErrorCodes } from "../../server/src/shared/domain/error-codes.js";
import { detailsOf, toTRPCError } from "../../server/src/trpc/error-mapping.js";

describe("error details on the wire", () => {
  it("gives a caller the active job's id with JOB_ALREADY_ACTIVE", () => {
    expect(detailsOf(toTRPCError(JobErrors.alreadyActive("P360", "job-1")))).toEqual({
      details: { quality: "P360", jobId: "job-1" },
    });
  });

  it("keeps the details of upstream and availability failures, and of non-domain errors, out of the answer", () => {
    const upstream = new DomainError(ErrorCodes.STORAGE_FAILED, "UPSTREAM_FAILED", "storage failed", { bucket: "private" });
    const unavailable = new DomainError(ErrorCodes.DEPENDENCY_UNAVAILABLE, "UNAVAILABLE", "down", { host: "redis" });
    expect(detailsOf(toTRPCError(upstream))).toEqual({});
    expect(detailsOf(toTRPCError(unavailable))).toEqual({});
    expect(detailsOf(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("boom") }))).toEqual({});
  });
});
