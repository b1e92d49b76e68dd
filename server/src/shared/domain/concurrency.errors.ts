import { DomainError } from "./domain-error.js";
import { ErrorCodes } from "./error-codes.js";

/**
 * A write that started from a row someone else changed since (optimistic concurrency, ADR 0008).
 * Shared by every context so clients see one code, whatever the aggregate: reload and retry.
 */
export const ConcurrencyErrors = {
  concurrentModification: (entity: string) =>
    new DomainError(
      ErrorCodes.CONCURRENT_MODIFICATION,
      "CONFLICT",
      `This ${entity} was changed by another request meanwhile; reload it and try again`,
      { entity },
    ),
};
