import { ContainerModule } from "inversify";
import { createCache } from "./cache/cache.module.js";
import type { AppConfig } from "./config/config.js";
import { HTTP_ROUTES } from "./http/http-routes.js";
import { MEDIA_PROBER } from "./modules/videos/application/media-prober.js";
import { OBJECT_STORAGE } from "./modules/videos/application/object-storage.js";
import { FfprobeProber } from "./modules/videos/infra/media/ffprobe.prober.js";
import { resolveMediaBinaries } from "./modules/videos/infra/media/media-binaries.js";
import { createObjectStorage } from "./modules/videos/infra/storage/create-object-storage.js";
import { CACHE } from "./shared/application/cache.js";
import type { Clock } from "./shared/application/clock.js";
import { HEALTH_CHECK } from "./shared/application/health-check.js";
import type { Logger } from "./shared/application/logger.js";
import { PUBLIC_URL, PublicUrl } from "./shared/application/public-url.js";
import type { Lifecycle } from "./shared/lifecycle.js";

/**
 * Opens the adapters behind the outside-service ports (the database is opened before this),
 * registers each with the lifecycle as it goes, logs which adapter each port bound, and
 * returns the module that binds them.
 */
export function openInfrastructure(config: AppConfig, logger: Logger, clock: Clock, lifecycle: Lifecycle): ContainerModule {
  const publicUrl = new PublicUrl(config.http.publicUrl);

  const cache = createCache(config, logger);
  lifecycle.add("cache", () => cache.close());
  logger.info(`cache: ${cache.describe}`);

  const storage = createObjectStorage(config, publicUrl, logger, { clock });
  lifecycle.add("object storage", () => storage.close());
  logger.info(`object storage: ${storage.describe}`);

  const media = resolveMediaBinaries(config.media);
  logger.info(`media tools: ${media.describe}`);

  return new ContainerModule(({ bind }) => {
    bind(PUBLIC_URL).toConstantValue(publicUrl);
    bind(CACHE).toConstantValue(cache.cache);
    if (cache.healthCheck) bind(HEALTH_CHECK).toConstantValue(cache.healthCheck);
    bind(OBJECT_STORAGE).toConstantValue(storage.storage);
    bind(HEALTH_CHECK).toConstantValue({ name: "storage", check: () => storage.storage.ping() });
    if (storage.routes) bind(HTTP_ROUTES).toConstantValue(storage.routes);
    bind(MEDIA_PROBER).toConstantValue(new FfprobeProber({ ffprobePath: media.ffprobePath, logger }));
  });
}
