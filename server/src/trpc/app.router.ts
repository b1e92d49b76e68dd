import { auditRouter } from "../modules/audit/api/audit.router.js";
import { creditsRouter } from "../modules/billing/api/credits.router.js";
import { adminUsersRouter } from "../modules/identity/api/admin-users.router.js";
import { apiKeysRouter } from "../modules/identity/api/api-keys.router.js";
import { authRouter } from "../modules/identity/api/auth.router.js";
import { usersRouter } from "../modules/identity/api/users.router.js";
import { jobsRouter } from "../modules/jobs/api/jobs.router.js";
import { videosRouter } from "../modules/videos/api/videos.router.js";
import { router } from "./init.js";

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  apiKeys: apiKeysRouter,
  videos: videosRouter,
  jobs: jobsRouter,
  credits: creditsRouter,
  admin: router({ users: adminUsersRouter, audit: auditRouter }),
});

export type AppRouter = typeof appRouter;
