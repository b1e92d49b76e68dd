import { inject, injectable } from "inversify";
import { QUALITIES, type Quality } from "../../../shared/domain/quality.js";
import type { StoredFile } from "../domain/stored-file.js";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import type { Caller } from "../../../shared/application/caller.js";
import type { StoredFileKind } from "../domain/stored-file.js";
import { VideoErrors } from "../domain/video.errors.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { STORED_FILE_REPOSITORY, type StoredFileRepository } from "./stored-file.repository.js";
import { VideoAccess } from "./video-access.js";

const KIND_OF = { source: "SOURCE", rendition: "RENDITION", thumbnail: "THUMBNAIL" } as const satisfies Record<
  string,
  StoredFileKind
>;

@injectable()
export class GetDownloadUrlQuery {
  constructor(
    @inject(STORED_FILE_REPOSITORY) private readonly files: StoredFileRepository,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(
    caller: Caller,
    input: { id: string; kind: keyof typeof KIND_OF; quality?: Quality | undefined },
  ): Promise<{ url: string; expiresAt: Date }> {
    const video = await this.access.visible(caller, input.id);
    const file =
      input.kind === "rendition"
        ? await this.rendition(video.id, input.quality)
        : await this.files.findLatest(video.id, KIND_OF[input.kind]);
    if (!file) throw VideoErrors.fileNotFound(input.kind);
    return this.storage.createDownloadUrl(file.storageKey, {
      expiresInSeconds: this.config.files.downloadUrlTtlSeconds,
      ...(input.kind === "source" && video.upload ? { filename: video.upload.filename } : {}),
    });
  }

  /** The newest rendition at `quality`, or of the highest quality that has one. */
  private async rendition(videoId: string, quality: Quality | undefined): Promise<StoredFile | null> {
    const renditions = (await this.files.listByVideo(videoId)).filter((file) => file.kind === "RENDITION");
    const wanted = quality ? [quality] : [...QUALITIES].reverse();
    for (const level of wanted) {
      const newest = renditions.filter((file) => file.quality === level).at(-1);
      if (newest) return newest;
    }
    return null;
  }
}
