import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import type { JobStatus } from "./job-status.js";

export const JobErrors = {
  notFound: () => new DomainError(ErrorCodes.JOB_NOT_FOUND, "NOT_FOUND", "Job not found"),
  invalidState: (from: JobStatus, to: JobStatus) =>
    new DomainError(ErrorCodes.JOB_INVALID_STATE, "BUSINESS_RULE", `A ${from} job cannot become ${to}`, { from, to }),
  notOwner: () => new DomainError(ErrorCodes.FORBIDDEN, "FORBIDDEN", "Only the job's owner can do this"),
  idempotencyKeyReused: () =>
    new DomainError(ErrorCodes.IDEMPOTENCY_KEY_REUSED, "CONFLICT", "This idempotency key was already used with other parameters"),
  qualityNotAllowed: (quality: string, tier: string) =>
    new DomainError(ErrorCodes.QUALITY_NOT_ALLOWED_FOR_TIER, "BUSINESS_RULE", `The ${tier} tier cannot ask for ${quality}`, {
      quality,
      tier,
    }),
};
