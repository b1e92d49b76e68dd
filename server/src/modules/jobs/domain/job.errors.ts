import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import type { JobStatus } from "./job-status.js";

export const JobErrors = {
  notFound: () => new DomainError(ErrorCodes.JOB_NOT_FOUND, "NOT_FOUND", "Job not found"),
  invalidState: (from: JobStatus, to: JobStatus) =>
    new DomainError(ErrorCodes.JOB_INVALID_STATE, "BUSINESS_RULE", `A ${from} job cannot become ${to}`, { from, to }),
  /** No processor is bound for the type: permanent, retrying cannot help. */
  noProcessor: (type: string) =>
    new DomainError(ErrorCodes.JOB_TYPE_UNSUPPORTED, "BUSINESS_RULE", `No processor runs ${type} jobs`, {
      type,
      permanent: true,
    }),
  idempotencyKeyReused: () =>
    new DomainError(ErrorCodes.IDEMPOTENCY_KEY_REUSED, "CONFLICT", "This idempotency key was already used with other parameters"),
  /** One active job per video and quality: the caller can follow the one already there. */
  alreadyActive: (quality: string, jobId: string) =>
    new DomainError(ErrorCodes.JOB_ALREADY_ACTIVE, "CONFLICT", `A ${quality} job is already queued or running for this video`, {
      quality,
      jobId,
    }),
  qualityNotAllowed: (quality: string, tier: string) =>
    new DomainError(ErrorCodes.QUALITY_NOT_ALLOWED_FOR_TIER, "BUSINESS_RULE", `The ${tier} tier cannot ask for ${quality}`, {
      quality,
      tier,
    }),
};
