import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage, type PresignedUpload } from "../../../shared/application/object-storage.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { sourceUploadKey } from "./storage-keys.js";
import { VideoAccess } from "./video-access.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

export interface CreateUploadInput {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

@injectable()
export class CreateUploadUseCase {
  constructor(
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(APP_CONFIG) private readonly config: AppConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The client PUTs the bytes straight to the returned URL; they never pass through the API. */
  async execute(caller: Caller, input: CreateUploadInput): Promise<PresignedUpload> {
    const { maxUploadBytes, uploadUrlTtlSeconds } = this.config.files;
    if (input.sizeBytes > maxUploadBytes) {
      throw new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", `Files may be at most ${maxUploadBytes} bytes`);
    }
    const video = await this.access.owned(caller, input.id);
    const previousStatus = video.status;
    const previousKey = video.upload?.key;
    const key = sourceUploadKey(video.id);
    video.startUpload(
      { key, filename: input.filename, contentType: input.contentType, sizeBytes: input.sizeBytes },
      this.clock.now(),
    );
    const upload = await this.storage.createUploadUrl(key, {
      contentType: input.contentType,
      sizeBytes: input.sizeBytes,
      expiresInSeconds: uploadUrlTtlSeconds,
    });
    await this.videos.save(video, previousStatus);
    // An abandoned earlier attempt may have left bytes behind: they are unreachable now.
    if (previousKey) await this.storage.delete(previousKey);
    return upload;
  }
}
