import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { newId } from "../../../shared/domain/ids.js";
import type { StoredFile } from "../domain/stored-file.js";
import type { VideoProbe } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/** A file a job stored, to be recorded as one of the video's files. */
export type JobOutputFile = Omit<StoredFile, "id" | "videoId" | "createdAt">;

export interface VideoSource {
  storageKey: string;
  probe: VideoProbe;
}

/**
 * What processing jobs read from and write to a video: its source, and the files a job made.
 * The jobs context goes through this instead of the videos context's repositories.
 */
@injectable()
export class VideoOutputs {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The uploaded (or generated) source and its probe; null when the video or its source is gone. */
  async sourceOf(videoId: string): Promise<VideoSource | null> {
    const [video, source] = await Promise.all([this.videos.findByIdForWrite(videoId), this.files.findLatest(videoId, "SOURCE")]);
    if (!video?.probe || !source) return null;
    return { storageKey: source.storageKey, probe: video.probe };
  }

  /** The qualities the video has a rendition of. */
  async renditionQualities(videoId: string): Promise<string[]> {
    const files = await this.files.listByVideo(videoId);
    return files.flatMap((file) => (file.kind === "RENDITION" && file.quality ? [file.quality] : []));
  }

  /** Inside the unit of work that marks the job SUCCEEDED. */
  async record(videoId: string, outputs: JobOutputFile[]): Promise<void> {
    const createdAt = this.clock.now();
    for (const output of outputs) await this.files.add({ ...output, id: newId(), videoId, createdAt });
  }

  /** A generation's result becomes the video's source: recorded as a file, and its probe on the video. */
  async recordGeneratedSource(videoId: string, probe: VideoProbe, source: JobOutputFile): Promise<void> {
    const video = await this.videos.findByIdForUpdate(videoId);
    if (!video) throw VideoErrors.notFound();
    const from = video.status;
    const described = {
      key: source.storageKey,
      filename: "generated.mp4",
      contentType: source.contentType,
      sizeBytes: source.sizeBytes,
    };
    video.attachGeneratedSource(described, probe, this.clock.now());
    await this.videos.save(video, from);
    await this.record(videoId, [{ ...source, kind: "SOURCE" }]);
  }
}
