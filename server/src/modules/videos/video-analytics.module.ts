import { ContainerModule } from "inversify";
import { VideoAnalyticsQuery } from "./application/video-analytics.query.js";
import { VIDEO_VIEW_COUNTS } from "./application/video-view-counts.js";
import { PrismaVideoViewCounts } from "./infra/prisma-video-view-counts.js";

/** videos.analytics: a module of its own, so the views read side grows without touching the upload and processing wiring. */
export const videoAnalyticsModule = new ContainerModule(({ bind }) => {
  bind(VIDEO_VIEW_COUNTS).to(PrismaVideoViewCounts).inSingletonScope();
  bind(VideoAnalyticsQuery).toSelf().inSingletonScope();
});
