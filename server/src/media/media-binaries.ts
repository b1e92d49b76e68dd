import { createRequire } from "node:module";
import type { AppConfig } from "../config/config.js";

export interface MediaBinaries {
  ffprobePath: string;
  ffmpegPath: string;
  /** For the start-up line naming the bound adapter, e.g. "ffprobe (bundled @ffprobe-installer 20230721-c2b3861) + ffmpeg (/usr/bin/ffmpeg)". */
  describe: string;
}

interface InstalledBinary {
  path: string;
  version?: unknown;
}

const PACKAGES = { ffprobe: "@ffprobe-installer/ffprobe", ffmpeg: "@ffmpeg-installer/ffmpeg" } as const;

const require = createRequire(import.meta.url);

/**
 * A configured path (FFPROBE_PATH / FFMPEG_PATH; a bare name such as "ffprobe" is looked up on PATH
 * by execFile) wins; otherwise the static binary shipped inside the installer package.
 */
export function resolveMediaBinaries(media: AppConfig["media"]): MediaBinaries {
  const ffprobe = resolveOne("ffprobe", media.ffprobePath);
  const ffmpeg = resolveOne("ffmpeg", media.ffmpegPath);
  return { ffprobePath: ffprobe.path, ffmpegPath: ffmpeg.path, describe: `${ffprobe.describe} + ${ffmpeg.describe}` };
}

function resolveOne(tool: keyof typeof PACKAGES, configured: string | undefined): { path: string; describe: string } {
  if (configured) return { path: configured, describe: `${tool} (${configured})` };
  const installed = loadInstaller(PACKAGES[tool]);
  const version = typeof installed.version === "string" ? ` ${installed.version}` : "";
  return { path: installed.path, describe: `${tool} (bundled ${PACKAGES[tool]}${version})` };
}

/**
 * Loaded lazily with require rather than a static import: both packages resolve (and verify) their
 * platform binary when first evaluated and throw on an unsupported platform, which must not break
 * start-up when FFPROBE_PATH/FFMPEG_PATH point elsewhere. @ffmpeg-installer throws a bare string.
 */
function loadInstaller(name: string): InstalledBinary {
  let loaded: unknown;
  try {
    loaded = require(name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name} has no usable binary for this platform (${reason}); set the path in the environment instead`, {
      cause: error,
    });
  }
  if (!isInstalledBinary(loaded)) throw new Error(`${name} did not export a binary path`);
  return loaded;
}

function isInstalledBinary(value: unknown): value is InstalledBinary {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.path === "string" && record.path !== "";
}
