import { inject, injectable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import type { Caller } from "../../../shared/application/caller.js";
import { OBJECT_STORAGE, type ObjectStorage, type PresignedUpload } from "../../../shared/application/object-storage.js";
import { SourceUploadStart } from "./source-upload-start.js";
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
    @inject(SourceUploadStart) private readonly uploads: SourceUploadStart,
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The client PUTs the bytes straight to the returned URL; they never pass through the API. */
  async execute(caller: Caller, input: CreateUploadInput): Promise<PresignedUpload> {
    const started = await this.uploads.begin(caller, { ...input, videoId: input.id });
    const upload = await this.storage.createUploadUrl(started.key, {
      contentType: input.contentType,
      sizeBytes: input.sizeBytes,
      expiresInSeconds: this.config.files.uploadUrlTtlSeconds,
    });
    await this.videos.save(started.video, started.previousStatus);
    await this.uploads.supersede(started);
    return upload;
  }
}
