import "reflect-metadata";
import { Container, ContainerModule } from "inversify";
import { createCache } from "./cache/create-cache.js";
import { APP_CONFIG, type AppConfig } from "./config/config.js";
import { createDatabaseAdapter } from "./database/database.adapter.js";
import { databaseModule } from "./database/database.module.js";
import { HTTP_ROUTES } from "./http/http-routes.js";
import { createMediaProber } from "./media/create-media.js";
import { createMediaTranscoder } from "./media/create-transcoder.js";
import { createEventBus } from "./events/create-event-bus.js";
import { createGenerationProvider } from "./generation/create-generation-provider.js";
import { createJobQueue } from "./queue/create-queue.js";
import { createRateLimits } from "./rate-limit/create-rate-limits.js";
import type { Database } from "./database/database.js";
import { jobsModule } from "./modules/jobs/jobs.module.js";
import { createMetrics } from "./metrics/create-metrics.js";
import { RequestMetrics } from "./metrics/trpc-metrics.middleware.js";
import { auditModule } from "./modules/audit/audit.module.js";
import { billingModule } from "./modules/billing/billing.module.js";
import { identityModule } from "./modules/identity/identity.module.js";
import { statsModule } from "./modules/stats/stats.module.js";
import { videoAnalyticsModule } from "./modules/videos/video-analytics.module.js";
import { videosModule } from "./modules/videos/videos.module.js";
import { webhooksModule } from "./modules/webhooks/webhooks.module.js";
import type { Cache } from "./shared/application/cache.js";
import { CLOCK, systemClock, type Clock } from "./shared/application/clock.js";
import { GENERATION_AVAILABILITY, type GenerationAvailability } from "./shared/application/generation-provider.js";
import { HEALTH_CHECK } from "./shared/application/health-check.js";
import { LOGGER, type Logger } from "./shared/application/logger.js";
import { METRICS } from "./shared/application/metrics.js";
import { PUBLIC_URL, PublicUrl } from "./shared/application/public-url.js";
import { Lifecycle } from "./shared/lifecycle.js";
import type { PlatformAdapter } from "./shared/platform-adapter.js";
import { createObjectStorage } from "./storage/create-object-storage.js";

/** One line per context: adding a context is adding its folder and its module here. */
const contextModules = [
  identityModule,
  auditModule,
  videosModule,
  billingModule,
  jobsModule,
  webhooksModule,
  statsModule,
  videoAnalyticsModule,
];

export interface AppContainer {
  container: Container;
  lifecycle: Lifecycle;
}

/** Adapters a caller started opening before the container (main.ts opens the database while importing the rest). */
export interface OpenedPlatform {
  database?: Promise<PlatformAdapter<Database>>;
}

/**
 * The composition root. Opens each platform adapter in dependency order and registers it with
 * the lifecycle, which closes them in reverse; if a later step fails, the earlier ones are closed.
 */
export async function createAppContainer(
  config: AppConfig,
  logger: Logger,
  clock: Clock = systemClock,
  opened: OpenedPlatform = {},
): Promise<AppContainer> {
  const lifecycle = new Lifecycle(logger);
  const publicUrl = new PublicUrl(config.http.publicUrl);
  const adapters: PlatformAdapter[] = [];
  // The embedded queue is the jobs table: it takes the database opened first in the list.
  let database: Database | undefined;
  // The generation provider shares its breaker state through the cache opened before it.
  let cache: Cache | undefined;
  let generationAvailability: GenerationAvailability | undefined;
  const metrics = createMetrics(config, logger, () => database);
  const platform: Array<() => PlatformAdapter | Promise<PlatformAdapter>> = [
    async () => {
      const adapter = await (opened.database ?? createDatabaseAdapter(config, logger));
      database = adapter.value;
      return adapter;
    },
    async () => {
      const adapter = await createCache(config, logger);
      cache = adapter.value;
      return adapter;
    },
    () => createRateLimits(config, logger),
    () => createObjectStorage(config, publicUrl, logger, { clock }),
    () => createMediaProber(config, logger),
    () => createMediaTranscoder(config, logger),
    async () => {
      if (!cache) throw new Error("the cache must be opened before the generation provider");
      const adapter = await createGenerationProvider(config, logger, cache, metrics);
      generationAvailability = adapter.availability;
      return adapter;
    },
    () => createEventBus(config, logger),
    () => {
      if (!database) throw new Error("the database must be opened before the job queue");
      return createJobQueue(config, logger, database);
    },
  ];
  try {
    for (const open of platform) {
      const adapter = await open();
      lifecycle.add(adapter.port, () => adapter.close());
      logger.info(`${adapter.port}: ${adapter.describe}`);
      adapters.push(adapter);
    }

    const container = new Container();
    container.load(
      new ContainerModule(({ bind }) => {
        bind(APP_CONFIG).toConstantValue(config);
        bind(LOGGER).toConstantValue(logger);
        bind(CLOCK).toConstantValue(clock);
        bind(PUBLIC_URL).toConstantValue(publicUrl);
        bind(METRICS).toConstantValue(metrics);
        bind(RequestMetrics).toSelf().inSingletonScope();
        if (generationAvailability) bind(GENERATION_AVAILABILITY).toConstantValue(generationAvailability);
        for (const adapter of adapters) {
          bind(adapter.token).toConstantValue(adapter.value);
          if (adapter.healthCheck) bind(HEALTH_CHECK).toConstantValue(adapter.healthCheck);
          if (adapter.routes) bind(HTTP_ROUTES).toConstantValue(adapter.routes);
        }
      }),
      databaseModule,
      ...contextModules,
    );
    return { container, lifecycle };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
