import type { AppConfig } from "../config/config.js";
import type { Logger } from "../shared/application/logger.js";
import { MEDIA_TRANSCODER, type MediaTranscoder } from "../shared/application/media-transcoder.js";
import type { PlatformAdapter } from "../shared/platform-adapter.js";
import { FfmpegTranscoder } from "./ffmpeg.transcoder.js";
import { FfprobeProber } from "./ffprobe.prober.js";
import { resolveMediaBinaries } from "./media-binaries.js";

/** ffmpeg (one H.264/AAC fragmented MP4 for download and HLS, + JPEG) from FFMPEG_PATH, else the bundled static binary; ffprobe measures the result. */
export function createMediaTranscoder(config: AppConfig, logger: Logger): PlatformAdapter<MediaTranscoder> {
  const binaries = resolveMediaBinaries(config.media);
  const prober = new FfprobeProber({ ffprobePath: binaries.ffprobePath, logger });
  return {
    port: "media transcoder",
    token: MEDIA_TRANSCODER,
    value: new FfmpegTranscoder({ ffmpegPath: binaries.ffmpegPath, prober, logger }),
    describe: `H.264/AAC fMP4 with ${binaries.describe}`,
    // Each transcode owns its process and ends it on cancel; the job runner cancels before shutdown.
    close: async () => {},
    healthCheck: null,
  };
}
