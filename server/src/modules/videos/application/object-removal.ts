import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import {
  PENDING_OBJECT_DELETION_REPOSITORY,
  type PendingObjectDeletionRepository,
} from "./pending-object-deletion.repository.js";

/** The longest error text kept with a pending deletion. */
const ERROR_TEXT_MAX = 1000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, ERROR_TEXT_MAX);
}

/**
 * Removes objects nobody can reach any more. A delete the store refuses is not lost: the key is
 * recorded and housekeeping tries again (RetryObjectDeletionsTask) until the store confirms.
 */
@injectable()
export class ObjectRemoval {
  constructor(
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(PENDING_OBJECT_DELETION_REPOSITORY) private readonly pending: PendingObjectDeletionRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Throws only if a failed key could not be recorded either. */
  async remove(keys: Iterable<string>): Promise<{ removed: number; pending: number }> {
    const unique = [...new Set(keys)];
    const results = await Promise.allSettled(unique.map((key) => this.storage.delete(key)));
    const failed = unique.filter((_, index) => results[index]?.status === "rejected");
    if (failed.length > 0) {
      const first = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      await this.pending.record(failed, errorText(first?.reason), this.clock.now());
    }
    return { removed: unique.length - failed.length, pending: failed.length };
  }
}
