import { inject, injectable } from "inversify";
import { MEDIA_TRANSCODER, type MediaTranscoder } from "../../../../shared/application/media-transcoder.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../../shared/application/object-storage.js";
import { DomainError } from "../../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../../shared/domain/error-codes.js";
import { VideoOutputs } from "../../../videos/application/index.js";
import type { JobProcessor, ProcessorContext, ProcessorOutput } from "../../application/job-processor.js";
import type { Job } from "../../domain/job.entity.js";
import { inWorkDir, RenditionOutputs } from "./rendition-outputs.js";

/** Presigned source URLs must outlive the longest transcode. */
const SOURCE_URL_TTL_SECONDS = 6 * 3600;

const sourceGone = (videoId: string) =>
  new DomainError(ErrorCodes.VIDEO_NOT_FOUND, "NOT_FOUND", "The video or its source file is gone", { videoId, permanent: true });

/**
 * TRANSCODE: the video's source → an MP4 at the job's quality and a JPEG thumbnail, stored under
 * keys named after the job's run. Nothing is recorded here: the runner commits the stored-file rows
 * in the transaction that marks the job SUCCEEDED, or discards the objects if the job lost a race.
 */
@injectable()
export class TranscodeProcessor implements JobProcessor {
  readonly type = "TRANSCODE" as const;

  constructor(
    @inject(VideoOutputs) private readonly videos: VideoOutputs,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(MEDIA_TRANSCODER) private readonly transcoder: MediaTranscoder,
  ) {}

  async run(job: Job, context: ProcessorContext): Promise<ProcessorOutput> {
    const { quality } = job.paramsOf("TRANSCODE");
    const source = await this.videos.sourceOf(job.videoId);
    if (!source) throw sourceGone(job.videoId);
    const outputs = new RenditionOutputs(this.storage, this.videos, job);
    return inWorkDir(job, outputs, async (workDir) => {
      const result = await this.transcoder.transcode({
        input: await this.storage.readableLocation(source.storageKey, SOURCE_URL_TTL_SECONDS),
        quality,
        source: source.probe,
        workDir,
        signal: context.signal,
        onProgress: ({ percent }) => context.onProgress(percent),
      });
      context.signal.throwIfAborted();
      await outputs.store(result);
    });
  }
}
