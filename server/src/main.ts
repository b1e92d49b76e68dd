import "reflect-metadata";
import { startApi } from "./bootstrap.js";
import { runProcess } from "./process-runner.js";

await runProcess("api", async (config, logger) => {
  const api = await startApi(config, logger);
  logger.info(`Reelbase API listening on ${api.url} (tRPC at ${api.url}/trpc)`);
  return api;
});
