import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import type { Quality } from "../../../shared/domain/quality.js";
import {
  assertAcceptsJob,
  statusWhenJobEnds,
  statusWhenJobStarts,
  type JobEnd,
  type JobInput,
} from "../domain/video-processing.js";
import { Video } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/**
 * Keeps a video's status in step with its processing jobs. Each method runs inside the caller's
 * unit of work and locks the video row, so jobs of one video that start or end together are
 * counted one after another.
 */
@injectable()
export class VideoProcessing {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** videos.generate: the video a generation job will fill, made in the job's own transaction. */
  async createForGeneration(ownerId: string, title: string): Promise<string> {
    const video = Video.create({ ownerId, title, now: this.clock.now() });
    await this.videos.create(video);
    return video.id;
  }

  /**
   * A job for `quality` was accepted: the video must (still) exist, accept a job with that input
   * and not have that rendition yet. Checked under the row lock a finishing job takes too, so a job
   * that ends meanwhile is seen.
   */
  async jobAccepted(videoId: string, job: { quality: Quality; input: JobInput }): Promise<void> {
    const video = await this.videos.findByIdForUpdate(videoId);
    if (!video) throw VideoErrors.notFound();
    assertAcceptsJob({ status: video.status, hasSource: video.probe !== null }, job.input);
    if (await this.files.findRendition(videoId, job.quality)) throw VideoErrors.renditionExists(job.quality);
    const from = video.status;
    if (statusWhenJobStarts(from)) {
      video.startProcessing(this.clock.now());
      await this.videos.save(video, from);
    }
  }

  /** A job ended; a deleted video is left alone. */
  async jobEnded(videoId: string, end: JobEnd, otherJobsActive: boolean): Promise<void> {
    const video = await this.videos.findByIdForUpdate(videoId);
    if (!video) return;
    const from = video.status;
    const hasRendition = (await this.files.findLatest(videoId, "RENDITION")) !== null;
    const to = statusWhenJobEnds(from, { end, otherJobsActive, hasRendition, hasSource: video.probe !== null });
    if (!to) return;
    const now = this.clock.now();
    if (to === "READY") video.markReady(now);
    else if (to === "FAILED") video.markFailed(now);
    else video.cancelProcessing(now);
    await this.videos.save(video, from);
  }
}
