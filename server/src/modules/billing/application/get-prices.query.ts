import { injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { isAllowedFor, QUALITIES, type Quality } from "../../../shared/domain/quality.js";
import { GENERATION_COST, TRANSCODE_CREDITS_PER_MINUTE, type QualityName } from "../domain/credit-rules.js";

export interface Prices {
  generation: number;
  transcodePerMinute: Record<QualityName, number>;
  allowedQualities: Quality[];
}

/** credits.prices: the numbers the charges use, and what the caller's tier may ask for. */
@injectable()
export class GetPricesQuery {
  execute(caller: Caller): Prices {
    return {
      generation: GENERATION_COST,
      transcodePerMinute: { ...TRANSCODE_CREDITS_PER_MINUTE },
      allowedQualities: QUALITIES.filter((quality) => isAllowedFor(quality, caller.tier)),
    };
  }
}
