import { inject, injectable } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { variantPlaylist } from "../domain/hls-playlists.js";
import { PlaybackErrors } from "../domain/playback.errors.js";
import type { Video } from "../domain/video.entity.js";
import { VideoErrors } from "../domain/video.errors.js";
import { PlaybackCatalog, type PlaybackFiles } from "./playback-catalog.js";
import { renditionMediaUrl } from "./playback-media-url.js";
import { PlaybackTokens, type PlaybackClaims } from "./playback-tokens.js";
import { PlaybackViews } from "./playback-views.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "./video.repository.js";

/**
 * GET /play/{token}/…: the token is the only credential. A token that does not verify is refused
 * before anything is read; a video deleted since the token was issued is NOT_FOUND.
 */
@injectable()
export class ServePlaylists {
  constructor(
    @inject(PlaybackTokens) private readonly tokens: PlaybackTokens,
    @inject(VIDEO_REPOSITORY) private readonly videos: VideoRepository,
    @inject(PlaybackCatalog) private readonly catalog: PlaybackCatalog,
    @inject(PlaybackViews) private readonly views: PlaybackViews,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The master playlist; counts the session's view. */
  async master(token: string): Promise<string> {
    const { claims, files } = await this.open(token);
    if (!files.master) throw VideoErrors.fileNotFound("stream");
    this.views.count(claims);
    return files.master;
  }

  async variant(token: string, quality: string): Promise<string> {
    const { claims, files } = await this.open(token);
    const rendition = files.streamable.find((file) => file.quality === quality);
    if (!rendition) throw PlaybackErrors.variantNotFound(quality);
    const media = await renditionMediaUrl(this.storage, rendition, claims.expires, this.clock.now());
    return variantPlaylist(rendition.hls, media.url);
  }

  private async open(token: string): Promise<{ claims: PlaybackClaims; video: Video; files: PlaybackFiles }> {
    const claims = this.tokens.verify(token);
    const video = await this.videos.findById(claims.videoId);
    if (!video) throw VideoErrors.notFound();
    return { claims, video, files: await this.catalog.cached(video) };
  }
}
