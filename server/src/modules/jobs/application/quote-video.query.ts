import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { highestFor, isAllowedFor, ladderFor, QUALITIES, type Quality } from "../../../shared/domain/quality.js";
import { CREDIT_LEDGER, type CreditLedger, transcodeCost } from "../../billing/application/index.js";
import { VideoAccess, VideoErrors, VideoOutputs } from "../../videos/application/index.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";

export interface QualityQuote {
  quality: Quality;
  /** What videos.process charges for this quality now. */
  cost: number;
  allowedForTier: boolean;
  /** READY: the rendition exists; ACTIVE: a job for it is queued or running. Either way a job is refused. */
  covered: "READY" | "ACTIVE" | null;
  /** Whether videos.processLadder (default maximum) would start this rung now. */
  inLadder: boolean;
}

export interface VideoQuote {
  videoId: string;
  durationSeconds: number;
  balance: number;
  qualities: QualityQuote[];
  ladder: { qualities: Quality[]; cost: number };
}

/**
 * videos.quote: what processing the caller's uploaded video would cost, per quality and for the
 * ladder, with the balance, priced by the same rules the charge uses (transcodeCost, ladderFor,
 * the tier) so a client shows the cost before confirming without keeping a copy of the rules. It is
 * a price, not a reservation: the charge is decided when the job is accepted.
 */
@injectable()
export class QuoteVideoQuery {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(VideoOutputs) private readonly outputs: VideoOutputs,
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(CREDIT_LEDGER) private readonly ledger: CreditLedger,
  ) {}

  async execute(caller: Caller, videoId: string): Promise<VideoQuote> {
    const video = await this.access.owned(caller, videoId);
    if (!video.probe) throw VideoErrors.invalidState(video.status, "PROCESSING");
    const [renditions, active, balance] = await Promise.all([
      this.outputs.renditionQualities(video.id),
      this.jobs.listActiveByVideo(video.id),
      this.ledger.balanceOf(caller.userId),
    ]);
    const ready = new Set(renditions);
    const running = new Set<string>(active.map((job) => job.quality));
    const { width, height, durationSeconds } = video.probe;
    const ladderRungs = new Set<Quality>(ladderFor(width, height, highestFor(caller.tier)));
    const qualities = QUALITIES.map((quality): QualityQuote => {
      const covered = ready.has(quality) ? "READY" : running.has(quality) ? "ACTIVE" : null;
      return {
        quality,
        cost: transcodeCost(durationSeconds, quality),
        allowedForTier: isAllowedFor(quality, caller.tier),
        covered,
        inLadder: ladderRungs.has(quality) && covered === null,
      };
    });
    const ladder = qualities.filter((quote) => quote.inLadder);
    return {
      videoId: video.id,
      durationSeconds,
      balance,
      qualities,
      ladder: { qualities: ladder.map((quote) => quote.quality), cost: ladder.reduce((sum, quote) => sum + quote.cost, 0) },
    };
  }
}
