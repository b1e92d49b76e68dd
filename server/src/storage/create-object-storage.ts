import type { AppConfig } from "../config/config.js";
import type { Clock } from "../shared/application/clock.js";
import type { Logger } from "../shared/application/logger.js";
import type { PublicUrl } from "../shared/application/public-url.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../shared/application/object-storage.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { LocalDiskStorage } from "./local-disk.storage.js";
import { localFilesRoutes } from "./local-files.routes.js";
import type { StorageResilienceOptions } from "./storage-resilience.js";

/**
 * Picks the adapter from configuration: S3 when S3_BUCKET is set, local disk otherwise. The S3
 * adapter (and the AWS SDK) is imported only when it is configured.
 */
export async function createObjectStorage(
  config: AppConfig,
  publicUrl: PublicUrl,
  logger: Logger,
  options: { clock?: Clock; resilience?: Partial<StorageResilienceOptions> } = {},
): Promise<PlatformAdapter<ObjectStorage>> {
  const clock = options.clock ? { clock: options.clock } : {};
  if (config.storage.kind === "s3") {
    const { S3Storage } = await import("./s3.storage.js");
    const storage = new S3Storage({
      ...config.storage,
      maxUploadBytes: config.files.maxUploadBytes,
      logger,
      ...clock,
      resilience: { ...config.storageResilience, ...options.resilience },
    });
    const where = config.storage.endpoint ? originOf(config.storage.endpoint) : `AWS ${config.storage.region}`;
    return {
      ...storageAdapter(storage),
      routes: null,
      describe: `S3 bucket ${config.storage.bucket} at ${where}`,
      close: async () => storage.close(),
    };
  }
  const storage = new LocalDiskStorage({
    dir: config.storage.dir,
    publicUrl,
    signingSecret: config.files.signingSecret,
    maxUploadBytes: config.files.maxUploadBytes,
    ...clock,
  });
  return {
    ...storageAdapter(storage),
    routes: localFilesRoutes(storage, logger),
    describe: `local disk (${config.storage.dir}), served at /files`,
    close: async () => {},
  };
}

function storageAdapter(storage: ObjectStorage) {
  return {
    port: "object storage",
    token: OBJECT_STORAGE,
    value: storage,
    healthCheck: { name: "storage", adapter: storage.kind, check: () => storage.ping() },
  };
}

/** Scheme, host and port only: an endpoint URL may carry user:password. */
function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return "a configured endpoint";
  }
}
