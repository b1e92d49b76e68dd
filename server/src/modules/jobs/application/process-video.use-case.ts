import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Quality } from "../../../shared/domain/quality.js";
import { transcodeCost } from "../../billing/application/index.js";
import { VideoAccess, VideoErrors } from "../../videos/application/index.js";
import type { Job } from "../domain/job.entity.js";
import { PaidJobs } from "./paid-jobs.js";

export interface ProcessVideoInput {
  id: string;
  quality: Quality;
  idempotencyKey?: string | undefined;
}

/** videos.process: a TRANSCODE job of the owner's uploaded video, priced by its duration and the quality. */
@injectable()
export class ProcessVideoUseCase {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(PaidJobs) private readonly paidJobs: PaidJobs,
  ) {}

  async execute(caller: Caller, input: ProcessVideoInput): Promise<Job> {
    const video = await this.access.owned(caller, input.id);
    if (!video.probe) throw VideoErrors.invalidState(video.status, "PROCESSING");
    return this.paidJobs.start(caller, {
      target: { videoId: video.id },
      spec: { type: "TRANSCODE", params: { quality: input.quality } },
      credits: transcodeCost(video.probe.durationSeconds, input.quality),
      idempotencyKey: input.idempotencyKey ?? null,
    });
  }
}
