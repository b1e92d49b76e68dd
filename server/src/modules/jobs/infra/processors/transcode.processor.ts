import { rm } from "node:fs/promises";
import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../../shared/application/clock.js";
import { MEDIA_TRANSCODER, type MediaTranscoder } from "../../../../shared/application/media-transcoder.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../../shared/application/object-storage.js";
import { DomainError } from "../../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../../shared/domain/error-codes.js";
import { newId } from "../../../../shared/domain/ids.js";
import { renditionKey, thumbnailKey } from "../../../videos/application/storage-keys.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "../../../videos/application/stored-file.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "../../../videos/application/video.repository.js";
import type { JobProcessor, ProcessorContext, ProcessorOutput } from "../../application/job-processor.js";
import type { Job } from "../../domain/job.entity.js";
import { createWorkDir } from "./work-dirs.js";

/** Presigned source URLs must outlive the longest transcode. */
const SOURCE_URL_TTL_SECONDS = 6 * 3600;

const sourceGone = (videoId: string) =>
  new DomainError(ErrorCodes.VIDEO_NOT_FOUND, "NOT_FOUND", "The video or its source file is gone", { videoId, permanent: true });

/**
 * TRANSCODE: the video's source → an MP4 at the job's quality and a JPEG thumbnail, stored under
 * keys named after the job. Nothing is recorded here: the runner commits the stored-file rows in
 * the transaction that marks the job SUCCEEDED, or discards the objects if the job lost a race.
 */
@injectable()
export class TranscodeProcessor implements JobProcessor {
  readonly type = "TRANSCODE" as const;

  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(MEDIA_TRANSCODER) private readonly transcoder: MediaTranscoder,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(job: Job, context: ProcessorContext): Promise<ProcessorOutput> {
    const [video, source] = await Promise.all([
      this.videos.findByIdForWrite(job.videoId),
      this.files.findLatest(job.videoId, "SOURCE"),
    ]);
    if (!video?.probe || !source) throw sourceGone(job.videoId);
    const workDir = await createWorkDir(job.id);
    const keys = {
      rendition: renditionKey(job.videoId, job.id, job.params.quality),
      thumbnail: thumbnailKey(job.videoId, job.id),
    };
    const discard = async () => {
      await Promise.all([this.storage.delete(keys.rendition), this.storage.delete(keys.thumbnail)]);
    };
    try {
      const result = await this.transcoder.transcode({
        input: await this.storage.readableLocation(source.storageKey, SOURCE_URL_TTL_SECONDS),
        quality: job.params.quality,
        source: video.probe,
        workDir,
        signal: context.signal,
        onProgress: ({ percent }) => context.onProgress(percent),
      });
      context.signal.throwIfAborted();
      const [rendition, thumbnail] = await Promise.all([
        this.storage.putFile(keys.rendition, result.rendition.path, { contentType: "video/mp4" }),
        this.storage.putFile(keys.thumbnail, result.thumbnail.path, { contentType: "image/jpeg" }),
      ]);
      const now = this.clock.now();
      const { quality } = job.params;
      return {
        commit: async () => {
          await this.files.add({
            id: newId(),
            videoId: job.videoId,
            kind: "RENDITION",
            storageKey: keys.rendition,
            contentType: "video/mp4",
            sizeBytes: rendition.sizeBytes,
            sha256: rendition.sha256,
            quality,
            width: result.rendition.width,
            height: result.rendition.height,
            bitrate: Math.round(result.rendition.bitrateKbps * 1000),
            createdAt: now,
          });
          await this.files.add({
            id: newId(),
            videoId: job.videoId,
            kind: "THUMBNAIL",
            storageKey: keys.thumbnail,
            contentType: "image/jpeg",
            sizeBytes: thumbnail.sizeBytes,
            sha256: thumbnail.sha256,
            quality: null,
            width: result.thumbnail.width,
            height: result.thumbnail.height,
            bitrate: null,
            createdAt: now,
          });
        },
        discard,
      };
    } catch (error) {
      await discard().catch(() => undefined);
      throw error;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
