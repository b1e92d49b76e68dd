import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../../shared/application/object-storage.js";
import { PUBLIC_URL, type PublicUrl } from "../../../shared/application/public-url.js";
import { PlaybackErrors } from "../domain/playback.errors.js";
import { PlaybackCatalog } from "./playback-catalog.js";
import { renditionMediaUrl } from "./playback-media-url.js";
import { PlaybackTokens } from "./playback-tokens.js";
import { VideoAccess } from "./video-access.js";

export interface Playback {
  hlsUrl: string;
  posterUrl: string | null;
  expiresAt: Date;
  renditions: { quality: string; width: number | null; height: number | null; bitrate: number | null; mp4Url: string }[];
}

/** videos.playback: a signed HLS URL and signed MP4 and poster URLs for the owner (or an admin). */
@injectable()
export class GetPlaybackQuery {
  constructor(
    @inject(VideoAccess) private readonly access: VideoAccess,
    @inject(PlaybackCatalog) private readonly catalog: PlaybackCatalog,
    @inject(PlaybackTokens) private readonly tokens: PlaybackTokens,
    @inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @inject(PUBLIC_URL) private readonly publicUrl: PublicUrl,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, input: { id: string; expiresInSeconds: number }): Promise<Playback> {
    const video = await this.access.visible(caller, input.id);
    const files = await this.catalog.load(video.id);
    if (files.streamable.length === 0) throw PlaybackErrors.notReady();
    const { token, claims } = this.tokens.issue(video.id, input.expiresInSeconds);
    const now = this.clock.now();
    const duration = video.probe?.durationSeconds ?? 0;
    const renditions = await Promise.all(
      files.renditions.map(async (file) => ({
        quality: file.quality ?? "",
        width: file.width,
        height: file.height,
        bitrate: file.bitrate,
        mp4Url: (await renditionMediaUrl(this.storage, file, claims.expires, now, duration)).url,
      })),
    );
    const poster = files.thumbnail
      ? await this.storage.createDownloadUrl(files.thumbnail.storageKey, { expiresInSeconds: input.expiresInSeconds })
      : null;
    return {
      hlsUrl: `${this.publicUrl.value}/play/${token}/master.m3u8`,
      posterUrl: poster?.url ?? null,
      expiresAt: new Date(claims.expires * 1000),
      renditions,
    };
  }
}
