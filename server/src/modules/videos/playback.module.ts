import type { ContainerModuleLoadOptions, Newable } from "inversify";
import { GetPlaybackQuery } from "./application/get-playback.query.js";
import { PlaybackCatalog } from "./application/playback-catalog.js";
import { PlaybackTokens } from "./application/playback-tokens.js";
import { PLAYBACK_VIEW_REPOSITORY } from "./application/playback-view.repository.js";
import { PlaybackViews } from "./application/playback-views.js";
import { ServePlaylists } from "./application/serve-playlists.js";
import { PrismaPlaybackViewRepository } from "./infra/prisma-playback-view.repository.js";

/** Signed HLS playback (docs/playback.md, docs/adr/0025): videos.playback and what the /play routes use (api/playlists.listener.ts, mounted by bootstrap.ts); part of videosModule. */
export function bindPlayback({ bind }: Pick<ContainerModuleLoadOptions, "bind">): void {
  bind(PLAYBACK_VIEW_REPOSITORY).to(PrismaPlaybackViewRepository).inSingletonScope();
  const services: Newable<object>[] = [PlaybackTokens, PlaybackCatalog, PlaybackViews, ServePlaylists, GetPlaybackQuery];
  for (const service of services) bind(service).toSelf().inSingletonScope();
}
