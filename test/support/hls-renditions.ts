import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { hlsIndexSchema, type HlsIndex } from "../../server/src/shared/domain/hls-index.js";
import { newId } from "../../server/src/shared/domain/ids.js";
import type { Container } from "inversify";

/**
 * fMP4 renditions as the transcoder makes them (one object, a fixed 2 s GOP, ffmpeg's HLS muxer in
 * single-file mode), with the HlsIndex read back from the playlist ffmpeg wrote beside it.
 */
const { ffmpegPath, ffprobePath } = resolveMediaBinaries({
  ffprobePath: process.env.FFPROBE_PATH,
  ffmpegPath: process.env.FFMPEG_PATH,
});
const FPS = 25;

export interface Fmp4Rendition {
  file: string;
  width: number;
  height: number;
  seconds: number;
  frameRate: number;
  codecs: string;
  hls: HlsIndex;
}

export function run(binary: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(binary)} ${args.join(" ")} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

export const ffmpeg = (args: string[]) => run(ffmpegPath, ["-hide_banner", "-nostdin", "-loglevel", "error", ...args]);
export const ffprobe = (args: string[]) => run(ffprobePath, ["-v", "error", ...args]);

export async function makeFmp4Rendition(dir: string, width: number, height: number, seconds: number): Promise<Fmp4Rendition> {
  const out = path.join(dir, `${width}x${height}`);
  await mkdir(out, { recursive: true });
  const file = path.join(out, "media.mp4");
  const playlist = path.join(out, "media.m3u8");
  await ffmpeg([
    ...["-f", "lavfi", "-i", `testsrc=duration=${seconds}:size=${width}x${height}:rate=${FPS}`],
    ...["-f", "lavfi", "-i", `sine=duration=${seconds}`],
    ...["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-g", String(2 * FPS), "-keyint_min", String(2 * FPS)],
    ...["-sc_threshold", "0", "-c:a", "aac", "-shortest"],
    ...["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-hls_flags", "single_file"],
    ...["-hls_segment_filename", file, playlist],
  ]);
  const probed = JSON.parse(
    await ffprobe(["-select_streams", "v:0", "-show_entries", "stream=profile,level", "-of", "json", file]),
  ) as { streams: { profile: string; level: number }[] };
  const level = probed.streams[0]?.level ?? 30;
  return {
    file,
    width,
    height,
    seconds,
    frameRate: FPS,
    codecs: `avc1.6400${level.toString(16).padStart(2, "0")},mp4a.40.2`,
    hls: parseSingleFilePlaylist(await readFile(playlist, "utf8")),
  };
}

/** The byte ranges of a single-file fMP4 playlist: EXT-X-MAP's, then each EXTINF's EXT-X-BYTERANGE. */
export function parseSingleFilePlaylist(text: string): HlsIndex {
  const range = (value: string) => {
    const [length, offset] = value.split("@").map(Number);
    return { offset: offset ?? 0, length: length ?? 0 };
  };
  const init = /#EXT-X-MAP:URI="[^"]*",BYTERANGE="(\d+@\d+)"/.exec(text)?.[1];
  if (!init) throw new Error(`no EXT-X-MAP byte range in\n${text}`);
  const segments: HlsIndex["segments"] = [];
  let duration: number | undefined;
  for (const line of text.split("\n")) {
    const extinf = /^#EXTINF:([\d.]+),/.exec(line);
    if (extinf) duration = Number(extinf[1]);
    const byterange = /^#EXT-X-BYTERANGE:(\d+@\d+)/.exec(line);
    if (byterange?.[1] && duration !== undefined) {
      segments.push({ ...range(byterange[1]), durationSeconds: duration });
      duration = undefined;
    }
  }
  return hlsIndexSchema.parse({ init: range(init), segments });
}

/** Stores the rendition's object and adds its row, as a finished transcode job would. */
export async function addRendition(
  container: Container,
  videoId: string,
  quality: string,
  rendition: Fmp4Rendition | { file: string; width: number; height: number; hls: null },
): Promise<string> {
  const storage = container.get<ObjectStorage>(OBJECT_STORAGE);
  const storageKey = `videos/${videoId}/renditions/${newId()}-${quality}.mp4`;
  const stored = await storage.putFile(storageKey, rendition.file, { contentType: "video/mp4" });
  const fmp4 = rendition.hls ? rendition : null;
  await container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).add({
    id: newId(),
    videoId,
    kind: "RENDITION",
    storageKey,
    contentType: "video/mp4",
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    quality,
    width: rendition.width,
    height: rendition.height,
    bitrate: fmp4 ? Math.round((stored.sizeBytes * 8) / fmp4.seconds) : 500_000,
    codecs: fmp4?.codecs ?? null,
    frameRate: fmp4?.frameRate ?? null,
    hls: fmp4?.hls ?? null,
    createdAt: new Date(),
  });
  return storageKey;
}

export async function addThumbnail(container: Container, videoId: string, file: string): Promise<string> {
  const storage = container.get<ObjectStorage>(OBJECT_STORAGE);
  const storageKey = `videos/${videoId}/thumbnails/${newId()}.jpg`;
  const stored = await storage.putFile(storageKey, file, { contentType: "image/jpeg" });
  await container.get<StoredFileRepository>(STORED_FILE_REPOSITORY).add({
    id: newId(),
    videoId,
    kind: "THUMBNAIL",
    storageKey,
    contentType: "image/jpeg",
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    quality: null,
    width: 160,
    height: 90,
    bitrate: null,
    codecs: null,
    frameRate: null,
    hls: null,
    createdAt: new Date(),
  });
  return storageKey;
}
