import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { MEDIA_PROBER, type MediaProber } from "../shared/application/media-prober.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { FfprobeProber } from "./ffprobe.prober.js";
import { resolveMediaBinaries } from "./media-binaries.js";

/** ffprobe (and ffmpeg, for processing) from FFPROBE_PATH/FFMPEG_PATH, else the bundled static binaries. */
export function createMediaProber(config: AppConfig, logger: Logger): PlatformAdapter<MediaProber> {
  const binaries = resolveMediaBinaries(config.media);
  return {
    port: "media tools",
    token: MEDIA_PROBER,
    value: new FfprobeProber({ ffprobePath: binaries.ffprobePath, logger }),
    describe: binaries.describe,
    close: async () => {},
    healthCheck: null,
  };
}
