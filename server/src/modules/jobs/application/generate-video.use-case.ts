import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import {
  GENERATION_AVAILABILITY,
  generationUnavailable,
  type GenerationAvailability,
} from "../../../shared/application/generation-provider.js";
import type { Quality } from "../../../shared/domain/quality.js";
import { DEFAULT_VOICE, type Voice } from "../../../shared/domain/voices.js";
import { GENERATION_COST } from "../../billing/application/index.js";
import { VideoProcessing } from "../../videos/application/index.js";
import type { Job } from "../domain/job.entity.js";
import { PaidJobs } from "./paid-jobs.js";

export interface GenerateVideoInput {
  title: string;
  script: string;
  quality: Quality;
  voice?: Voice | undefined;
  idempotencyKey?: string | undefined;
}

/**
 * videos.generate: a new video and the GENERATE job that makes its source, in one transaction, for a
 * flat price. While the provider's circuit is open (in any process) it is refused at once, before
 * anything is charged.
 */
@injectable()
export class GenerateVideoUseCase {
  constructor(
    @inject(PaidJobs) private readonly paidJobs: PaidJobs,
    @inject(VideoProcessing) private readonly videos: VideoProcessing,
    @inject(GENERATION_AVAILABILITY) private readonly availability: GenerationAvailability,
  ) {}

  async execute(caller: Caller, input: GenerateVideoInput): Promise<Job> {
    if (!(await this.availability.isAvailable())) throw generationUnavailable();
    return this.paidJobs.start(caller, {
      target: { createVideo: () => this.videos.createForGeneration(caller.userId, input.title) },
      spec: { type: "GENERATE", params: { quality: input.quality, script: input.script, voice: input.voice ?? DEFAULT_VOICE } },
      credits: GENERATION_COST,
      idempotencyKey: input.idempotencyKey ?? null,
    });
  }
}
