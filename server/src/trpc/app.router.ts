import { auditRouter } from "../modules/audit/api/audit.router.js";
import { creditsRouter } from "../modules/billing/api/credits.router.js";
import { grantCreditsProcedure } from "../modules/billing/api/grant-credits.procedure.js";
import { adminUsersRouter } from "../modules/identity/api/admin-users.router.js";
import { apiKeysRouter } from "../modules/identity/api/api-keys.router.js";
import { authRouter } from "../modules/identity/api/auth.router.js";
import { usersRouter } from "../modules/identity/api/users.router.js";
import { jobsRouter } from "../modules/jobs/api/jobs.router.js";
import { platformStatsProcedure } from "../modules/stats/api/stats.router.js";
import { videoAnalyticsRouter } from "../modules/videos/api/video-analytics.router.js";
import { uploadsRouter } from "../modules/videos/api/uploads.router.js";
import { videosRouter } from "../modules/videos/api/videos.router.js";
import { webhooksRouter } from "../modules/webhooks/api/webhooks.router.js";
import { mergeRouters, router } from "./init.js";
import { videoJobsRouter } from "./video-jobs.router.js";

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  apiKeys: apiKeysRouter,
  videos: mergeRouters(videosRouter, videoJobsRouter, videoAnalyticsRouter),
  uploads: uploadsRouter,
  jobs: jobsRouter,
  credits: creditsRouter,
  webhooks: webhooksRouter,
  admin: router({
    users: mergeRouters(adminUsersRouter, router({ grantCredits: grantCreditsProcedure })),
    audit: auditRouter,
    stats: platformStatsProcedure,
  }),
});

export type AppRouter = typeof appRouter;
