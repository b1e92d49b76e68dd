import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";

export const BillingErrors = {
  insufficientCredits: (required: number) =>
    new DomainError(ErrorCodes.INSUFFICIENT_CREDITS, "BUSINESS_RULE", `This needs ${required} credits; the balance is lower`, {
      required,
    }),
  invalidAmount: (amount: number) =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "A credit amount must be a positive whole number", {
      field: "amount",
      amount,
    }),
  invalidDuration: (seconds: number) =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "A duration must be a non-negative number of seconds", {
      seconds,
    }),
  balanceLimit: (limit: number) =>
    new DomainError(ErrorCodes.BUSINESS_RULE_VIOLATED, "BUSINESS_RULE", `A balance cannot exceed ${limit} credits`, { limit }),
  jobAlreadyCharged: (jobId: string) =>
    new DomainError(ErrorCodes.CONFLICT, "CONFLICT", "This job has already been charged", { jobId }),
};
