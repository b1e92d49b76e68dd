import type { AppConfig } from "../config/config.js";
import type { Cache } from "../shared/application/cache.js";
import {
  GENERATION_PROVIDER,
  type GenerationAvailability,
  type GenerationProvider,
} from "../shared/application/generation-provider.js";
import type { Logger } from "../shared/application/logger.js";
import { noMetrics, type Metrics } from "../shared/application/metrics.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { resolveMediaBinaries } from "../media/media-binaries.js";
import { HttpGenerationProvider } from "./http/http-generation.provider.js";

export interface GenerationAdapter extends PlatformAdapter<GenerationProvider> {
  /** Bound to GENERATION_AVAILABILITY: the API asks it before accepting a generation. */
  readonly availability: GenerationAvailability;
}

const ALWAYS_AVAILABLE: GenerationAvailability = { isAvailable: async () => true };

/**
 * The remote provider when GENERATION_PROVIDER_URL is set (its breaker state shared through the
 * cache, its readiness check optional), else the local one (espeak-ng + ffmpeg), always available.
 * The local one is imported only when it is used: it loads the speech engine.
 */
export async function createGenerationProvider(
  config: AppConfig,
  logger: Logger,
  cache: Cache,
  metrics: Metrics = noMetrics,
): Promise<GenerationAdapter> {
  const { remote } = config.generation;
  if (remote) {
    const provider = new HttpGenerationProvider({
      baseUrl: remote.url,
      apiKey: remote.apiKey,
      pollIntervalMs: config.generation.pollIntervalMs,
      timeoutMs: config.generation.timeoutMs,
      maxResultBytes: config.generation.maxResultBytes,
      maxRetries: config.generation.maxRetries,
      breakerThreshold: config.generation.breakerThreshold,
      halfOpenAfterMs: config.generation.halfOpenAfterMs,
      maxWaitMs: config.generation.maxWaitMs,
      breakerKey: `${config.jobs.queuePrefix}:generation:breaker-open`,
      cache,
      logger,
      metrics,
    });
    return {
      port: "generation provider",
      token: GENERATION_PROVIDER,
      value: provider,
      availability: provider,
      describe: provider.describe,
      close: () => provider.close(),
      healthCheck: provider.healthCheck,
    };
  }
  const { ffmpegPath } = resolveMediaBinaries(config.media);
  const { LocalGenerationProvider } = await import("./local/local-generation.provider.js");
  const provider = new LocalGenerationProvider({ ffmpegPath, logger });
  return {
    port: "generation provider",
    token: GENERATION_PROVIDER,
    value: provider,
    availability: ALWAYS_AVAILABLE,
    describe: provider.describe,
    // Each generation owns its processes and ends them on abort; the job runner cancels before shutdown.
    close: async () => {},
    healthCheck: null,
  };
}
