import type { AppConfig } from "../../../../config/config.js";
import type { HttpRoutes } from "../../../../http/http-routes.js";
import type { Clock } from "../../../../shared/application/clock.js";
import type { Logger } from "../../../../shared/application/logger.js";
import type { PublicUrl } from "../../../../shared/application/public-url.js";
import type { ObjectStorage } from "../../application/object-storage.js";
import { LocalDiskStorage } from "./local-disk.storage.js";
import { localFilesRoutes } from "./local-files.routes.js";
import { S3Storage } from "./s3.storage.js";
import type { StorageResilienceOptions } from "./storage-resilience.js";

export interface ObjectStorageBinding {
  storage: ObjectStorage;
  /** The /files routes when storage is local; null for S3, where clients talk to the bucket. */
  routes: HttpRoutes | null;
  /** For the start-up line naming the bound adapter. No credentials, ever. */
  describe: string;
  /** Releases the S3 client's sockets; nothing to do for local disk. */
  close(): Promise<void>;
}

/** Picks the adapter from configuration: S3 when S3_BUCKET is set, local disk otherwise. */
export function createObjectStorage(
  config: AppConfig,
  publicUrl: PublicUrl,
  logger: Logger,
  options: { clock?: Clock; resilience?: Partial<StorageResilienceOptions> } = {},
): ObjectStorageBinding {
  const clock = options.clock ? { clock: options.clock } : {};
  if (config.storage.kind === "s3") {
    const storage = new S3Storage({
      ...config.storage,
      maxUploadBytes: config.files.maxUploadBytes,
      logger,
      ...clock,
      ...(options.resilience ? { resilience: options.resilience } : {}),
    });
    const where = config.storage.endpoint ? originOf(config.storage.endpoint) : `AWS ${config.storage.region}`;
    return {
      storage,
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
    storage,
    routes: localFilesRoutes(storage, logger),
    describe: `local disk (${config.storage.dir}), served at /files`,
    close: async () => {},
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
