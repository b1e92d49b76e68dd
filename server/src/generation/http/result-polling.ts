import { setTimeout as sleep } from "node:timers/promises";
import { generationFailed, type GenerationRun } from "../../shared/application/generation-provider.js";
import type { HttpGenerationOptions } from "./http-generation.options.js";
import type { ProviderClient } from "./provider-client.js";
import { OverdueError } from "./provider-errors.js";
import type { Redactor } from "./redactor.js";

/**
 * Polls the provider's video until `completed` (its resultUrl) or `failed` (permanent), reporting
 * progress as it rises; past maxWaitMs it gives up with an OverdueError (transient).
 */
export async function waitForResult(
  client: ProviderClient,
  id: string,
  run: GenerationRun,
  options: Pick<HttpGenerationOptions, "maxWaitMs" | "pollIntervalMs">,
  redactor: Redactor,
): Promise<string> {
  const deadline = Date.now() + options.maxWaitMs;
  let reported = -1;
  for (;;) {
    const status = await client.status(id, run);
    const progress = Math.min(100, Math.max(0, status.progress ?? 0));
    if (progress > reported) {
      reported = progress;
      run.onProgress(progress);
    }
    if (status.status === "failed") throw generationFailed(redactor.reasonOf(status.error) || "the provider reported a failure");
    if (status.status === "completed") {
      if (!status.resultUrl) throw generationFailed("the provider reported completion without a result URL");
      return status.resultUrl;
    }
    if (Date.now() + options.pollIntervalMs > deadline) throw new OverdueError(options.maxWaitMs);
    await sleep(options.pollIntervalMs, undefined, { signal: run.signal });
  }
}
