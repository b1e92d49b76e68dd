import { DomainError } from "../shared/domain/domain-error.js";
import { ErrorCodes } from "../shared/domain/error-codes.js";

/**
 * Storage failures a caller may see. Messages are fixed strings: nothing from the SDK or the file
 * system (bucket names, endpoints, paths, credentials) ever reaches a client.
 */
export const StorageErrors = {
  unavailable: () => new DomainError(ErrorCodes.STORAGE_UNAVAILABLE, "UNAVAILABLE", "Object storage is temporarily unavailable"),
  failed: () => new DomainError(ErrorCodes.STORAGE_FAILED, "UPSTREAM_FAILED", "Object storage request failed"),
  /** Only from sha256(): head() answers null instead. */
  objectNotFound: () => new DomainError(ErrorCodes.STORAGE_OBJECT_NOT_FOUND, "NOT_FOUND", "Stored object not found"),
};
