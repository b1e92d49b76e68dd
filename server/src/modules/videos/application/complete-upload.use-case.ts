import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { MEDIA_PROBER, type MediaProber } from "../../../shared/application/media-prober.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../../../shared/application/unit-of-work.js";
import { newId } from "../../../shared/domain/ids.js";
import type { Video } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

@injectable()
export class CompleteUploadUseCase {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(MEDIA_PROBER) private readonly prober: MediaProber,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(UNIT_OF_WORK) private readonly unitOfWork: UnitOfWork,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Checks the object against the declaration, probes it, and records it as the source.
   * A missing or wrong-sized object leaves the video UPLOADING (PUT again, or ask for a new
   * URL); a file that is not a video is deleted and the video goes back to DRAFT.
   */
  async execute(caller: Caller, id: string): Promise<Video> {
    const video = await this.access.owned(caller, id);
    const upload = video.upload;
    if (video.status !== "UPLOADING" || !upload) throw VideoErrors.invalidState(video.status, "UPLOADED");

    const object = await this.storage.head(upload.key);
    if (!object) throw VideoErrors.uploadMissing();
    if (object.sizeBytes !== upload.sizeBytes) {
      await this.storage.delete(upload.key);
      throw VideoErrors.uploadSizeMismatch(upload.sizeBytes, object.sizeBytes);
    }

    const probe = await this.prober.probe(await this.storage.readableLocation(upload.key, 600));
    if (!probe) {
      video.rejectUpload(this.clock.now());
      await this.videos.save(video, "UPLOADING");
      await this.storage.delete(upload.key);
      throw VideoErrors.notAVideo();
    }

    const sha256 = object.sha256 ?? (await this.storage.sha256(upload.key));
    const now = this.clock.now();
    video.markUploaded(probe, now);
    await this.unitOfWork.run(async () => {
      await this.videos.save(video, "UPLOADING");
      await this.files.add({
        id: newId(),
        videoId: video.id,
        kind: "SOURCE",
        storageKey: upload.key,
        contentType: object.contentType ?? upload.contentType,
        sizeBytes: object.sizeBytes,
        sha256,
        quality: null,
        width: probe.width,
        height: probe.height,
        bitrate: null,
        codecs: null,
        frameRate: null,
        hls: null,
        createdAt: now,
      });
    });
    return video;
  }
}
