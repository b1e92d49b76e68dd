import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { HOUSEKEEPING_BATCH, type HousekeepingReport, type HousekeepingTask } from "../../../shared/application/housekeeping.js";
import { IDEMPOTENCY_KEYS, type IdempotencyKeys } from "./idempotency-keys.js";

/** Keys cleared per run: a backlog is worked off over several runs. */
const KEYS_PER_RUN = HOUSEKEEPING_BATCH * 10;

/**
 * Housekeeping: an idempotency key is remembered for the retention (24 h by default) from the
 * job's creation. After that, once the job has ended, the key is cleared from the job row, and the
 * same key with the same owner makes a new job. A job still queued or running keeps its key.
 */
@injectable()
export class ForgetIdempotencyKeysTask implements HousekeepingTask {
  readonly name = "idempotency-keys";

  constructor(
    @inject(IDEMPOTENCY_KEYS) private readonly keys: IdempotencyKeys,
    @inject(APP_CONFIG) private readonly config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<HousekeepingReport> {
    const retentionMs = this.config.housekeeping.idempotencyRetentionHours * 3600_000;
    const createdBefore = new Date(this.clock.now().getTime() - retentionMs);
    return { forgotten: await this.keys.forgetEnded(createdBefore, KEYS_PER_RUN) };
  }
}
