import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { highestFor, isAllowedFor, ladderFor, type Quality } from "../../../shared/domain/quality.js";
import { transcodeCost } from "../../billing/application/index.js";
import { VideoAccess, VideoErrors } from "../../videos/application/index.js";
import type { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import { PaidJobs } from "./paid-jobs.js";

export interface ProcessLadderInput {
  id: string;
  maxQuality?: Quality | undefined;
  idempotencyKey?: string | undefined;
}

/** What skips a rung rather than failing the ladder: the quality is there already, or on its way. */
const ALREADY_COVERED: ReadonlySet<string> = new Set([ErrorCodes.JOB_ALREADY_ACTIVE, ErrorCodes.RENDITION_EXISTS]);

/**
 * videos.processLadder: one TRANSCODE job per quality the source can fill, up to `maxQuality`
 * (the tier's highest by default), lowest first. Each rung is a job of its own through PaidJobs —
 * charged, retried, refunded and shown on its own, so a failed 1080p never holds up 720p — and a
 * rung READY or active is skipped, so a repeat call answers no jobs and charges nothing. With an
 * idempotency key, each rung's job carries `<key>#<quality>`, and a repeat replays them.
 */
@injectable()
export class ProcessLadderUseCase {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(PaidJobs) private readonly paidJobs: PaidJobs,
  ) {}

  async execute(caller: Caller, input: ProcessLadderInput): Promise<Job[]> {
    const video = await this.access.owned(caller, input.id);
    if (!video.probe) throw VideoErrors.invalidState(video.status, "PROCESSING");
    const max = input.maxQuality ?? highestFor(caller.tier);
    // Asked for beyond the tier is refused as a single job would be, even where no rung reaches it.
    if (!isAllowedFor(max, caller.tier)) throw JobErrors.qualityNotAllowed(max, caller.tier);
    const { width, height, durationSeconds } = video.probe;
    const jobs: Job[] = [];
    for (const quality of ladderFor(width, height, max)) {
      try {
        jobs.push(
          await this.paidJobs.start(caller, {
            target: { videoId: video.id },
            spec: { type: "TRANSCODE", params: { quality } },
            credits: transcodeCost(durationSeconds, quality),
            idempotencyKey: input.idempotencyKey ? `${input.idempotencyKey}#${quality}` : null,
          }),
        );
      } catch (error) {
        if (error instanceof DomainError && ALREADY_COVERED.has(error.code)) continue;
        // The rungs started so far stand (each is its own job); a refusal of the first one is the answer.
        if (jobs.length === 0) throw error;
        break;
      }
    }
    return jobs;
  }
}
