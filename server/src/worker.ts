import "reflect-metadata";
import { createAppContainer } from "./container.js";
import { runProcess } from "./process-runner.js";

// No queue consumers exist yet (jobs arrive with the jobs context); the process already
// boots the same container and shuts down cleanly so deployments can include it.
await runProcess("worker", async (config, logger) => {
  const { lifecycle } = await createAppContainer(config, logger);
  logger.info("worker started; no queues are consumed yet");
  return { close: () => lifecycle.close() };
});
