import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../../../shared/application/housekeeping.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { errorText } from "./object-removal.js";
import {
  PENDING_OBJECT_DELETION_REPOSITORY,
  type PendingObjectDeletionRepository,
} from "./pending-object-deletion.repository.js";

/**
 * Housekeeping: tries again the deletes that failed (the store was down when a video was deleted).
 * A confirmed delete removes the row; a failed one counts the attempt and keeps the error, and
 * the key is tried again on the next run. Deleting an absent object succeeds, so a retry after a
 * delete that did happen is harmless.
 */
@injectable()
export class RetryObjectDeletionsTask implements HousekeepingTask {
  readonly name = "object-deletions";

  constructor(
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(PENDING_OBJECT_DELETION_REPOSITORY) private readonly pending: PendingObjectDeletionRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    let removed = 0;
    let failed = 0;
    for (const { key } of await this.pending.listDue(HOUSEKEEPING_BATCH)) {
      try {
        await this.storage.delete(key);
      } catch (error) {
        failed++;
        await this.pending.failedAgain(key, errorText(error), this.clock.now());
        continue;
      }
      await this.pending.remove(key);
      removed++;
    }
    return { removed, failed };
  }
}
