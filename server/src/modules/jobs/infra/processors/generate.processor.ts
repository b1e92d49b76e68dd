import path from "node:path";
import { inject, injectable } from "inversify";
import {
  GENERATION_PROVIDER,
  generationFailed,
  type GenerationProvider,
} from "../../../../shared/application/generation-provider.js";
import { MEDIA_PROBER, type MediaProber } from "../../../../shared/application/media-prober.js";
import { MEDIA_TRANSCODER, type MediaTranscoder } from "../../../../shared/application/media-transcoder.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../../shared/application/object-storage.js";
import { QUALITY_SPECS } from "../../../../shared/domain/quality.js";
import { generatedSourceKey, VideoOutputs } from "../../../videos/application/index.js";
import type { JobProcessor, ProcessorContext, ProcessorOutput } from "../../application/job-processor.js";
import type { Job } from "../../domain/job.entity.js";
import { inWorkDir, RenditionOutputs } from "./rendition-outputs.js";

/** Of a generation's progress, the provider's part; the rest is our transcode of its result. */
const PROVIDER_SHARE = 0.7;

/**
 * GENERATE: the provider turns the script into a video, which becomes the video's SOURCE (probed,
 * as an upload is); then it is transcoded like any source into the rendition at the job's quality
 * and a thumbnail. All of it is recorded when the job's success commits, or removed.
 */
@injectable()
export class GenerateProcessor implements JobProcessor {
  readonly type = "GENERATE" as const;

  constructor(
    @inject(GENERATION_PROVIDER) private readonly provider: GenerationProvider,
    @inject(MEDIA_PROBER) private readonly prober: MediaProber,
    @inject(MEDIA_TRANSCODER) private readonly transcoder: MediaTranscoder,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(VideoOutputs) private readonly videos: VideoOutputs,
  ) {}

  async run(job: Job, context: ProcessorContext): Promise<ProcessorOutput> {
    const params = job.paramsOf("GENERATE");
    const box = QUALITY_SPECS[params.quality];
    let recordSource: () => Promise<void> = async () => {};
    const outputs = new RenditionOutputs(this.storage, this.videos, job, () => recordSource());
    return inWorkDir(job, outputs, async (workDir) => {
      const generated = path.join(workDir, "generated.mp4");
      await this.provider.generate(
        { idempotencyKey: job.runKey, script: params.script, voice: params.voice, width: box.width, height: box.height },
        { outputPath: generated, signal: context.signal, onProgress: (percent) => context.onProgress(percent * PROVIDER_SHARE) },
      );
      context.signal.throwIfAborted();
      const probe = await this.prober.probe(generated);
      if (!probe) throw generationFailed("the provider's result is not a decodable video");
      const result = await this.transcoder.transcode({
        input: generated,
        quality: params.quality,
        source: probe, // its frameRate spares the transcoder a second probe of the same file
        workDir: path.join(workDir, "rendition"),
        signal: context.signal,
        onProgress: ({ percent }) => context.onProgress(100 * PROVIDER_SHARE + percent * (1 - PROVIDER_SHARE)),
      });
      context.signal.throwIfAborted();
      const key = generatedSourceKey(job.videoId, job.runKey);
      const [source] = await Promise.all([outputs.put(key, generated, "video/mp4"), outputs.store(result)]);
      const { formatName: _format, frameRate: _rate, codecs: _codecs, ...videoProbe } = probe;
      recordSource = () =>
        this.videos.recordGeneratedSource(job.videoId, videoProbe, {
          kind: "SOURCE",
          storageKey: key,
          contentType: "video/mp4",
          ...source,
          quality: null,
          width: probe.width,
          height: probe.height,
          bitrate: null,
          codecs: null,
          frameRate: null,
          hls: null,
        });
    });
  }
}
