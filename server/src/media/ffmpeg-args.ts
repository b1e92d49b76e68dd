import { fitInside, QUALITY_SPECS, type Dimensions, type Quality } from "../shared/domain/quality.js";
import { toInput, VIDEO_FORMATS, type ProbeInput } from "./ffprobe.prober.js";
import { keyframeArgs, SEGMENT_SECONDS, type OutputFrameRate } from "./frame-rate.js";

/** Stereo AAC at a rate that is transparent for speech and fine for music on the web. */
export const AUDIO_KBPS = 128;
/** Speed over size: a worker's CPU is the scarce thing; CRF + the VBV cap bound the size anyway. */
const PRESET = "veryfast";
const CRF = "23";
/** The thumbnail is a poster, not a frame grab at full size. */
const THUMBNAIL_QUALITY: Quality = "P360";

export interface TranscodePlanInput {
  input: string;
  quality: Quality;
  source: { width: number; height: number; durationSeconds: number };
  /** From outputFrameRate(): the same for every rung of one source. */
  frameRate: OutputFrameRate;
  /** playlist: where the HLS muxer writes the byte-range playlist that is parsed into the index. */
  outputs: { video: string; thumbnail: string; playlist: string };
}

export interface TranscodePlan {
  input: ProbeInput;
  video: Dimensions;
  thumbnail: Dimensions;
  thumbnailAtSeconds: number;
  frameRate: OutputFrameRate;
  args: string[];
}

/**
 * The whole ffmpeg command for one transcode: one decode feeding both the rendition and the JPEG
 * through a split, so the source is read once (which matters when it is a presigned URL). The
 * rendition goes through the HLS muxer in single-file fMP4 mode: one MP4 (init, then one moof+mdat
 * fragment per 2 s segment) plus a playlist of byte ranges into it, so one encode serves both the
 * download and HLS. Pure, so the benchmark can run exactly the command the adapter runs.
 */
export function planTranscode({ input: location, quality, source, frameRate, outputs }: TranscodePlanInput): TranscodePlan {
  const input = toInput(location);
  const video = fitInside(quality, source.width, source.height);
  const smallest = fitInside(THUMBNAIL_QUALITY, source.width, source.height);
  const thumbnail = smallest.width < video.width ? smallest : video;
  // 10 % in skips fade-ins and title cards; it is always inside the clip, however short.
  const thumbnailAtSeconds = Math.round(source.durationSeconds * 0.1 * 1000) / 1000;
  // Audio's share is reserved so video + audio stay under the quality's cap; a one-second VBV buffer
  // (bufsize = maxrate) keeps every second near the cap, not just the average of a long file.
  const videoKbps = QUALITY_SPECS[quality].bitrateKbps - AUDIO_KBPS;

  const graph = [
    "[0:v:0]split=2[main][poster]",
    // fps before scale: every rung keeps the very same frames (and scales no more than it keeps).
    `[main]fps=fps=${frameRate.expr},scale=${video.width}:${video.height},setsar=1,format=yuv420p[v]`,
    // setpts makes t count from the first frame even when the container starts later.
    `[poster]setpts=PTS-STARTPTS,select='gte(t,${thumbnailAtSeconds})',scale=${thumbnail.width}:${thumbnail.height},setsar=1,format=yuvj420p[t]`,
  ].join(";");

  const args = [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1"],
    ...["-protocol_whitelist", input.protocols, "-format_whitelist", VIDEO_FORMATS],
    // A presigned GET can drop mid-way through a long encode: resume it, and never hang on a dead peer.
    ...(input.protocols === "file" ? [] : ["-reconnect", "1", "-rw_timeout", "30000000"]),
    ...["-i", input.arg, "-filter_complex", graph],
    // Source metadata can carry a phone's GPS position: none of it is copied.
    ...["-map", "[v]", "-map", "0:a:0?", "-map_metadata", "-1", "-map_chapters", "-1"],
    ...["-c:v", "libx264", "-preset", PRESET, "-crf", CRF, "-maxrate", `${videoKbps}k`, "-bufsize", `${videoKbps}k`],
    ...keyframeArgs(frameRate),
    ...["-c:a", "aac", "-b:a", `${AUDIO_KBPS}k`, "-ac", "2"],
    // Negative DTS (B-frames) kept as they are: the fMP4 then carries an edit list that starts the
    // picture at 0 and trims the AAC priming, instead of shifting every timestamp by two frames.
    ...["-avoid_negative_ts", "disabled"],
    ...["-f", "hls", "-hls_time", String(SEGMENT_SECONDS), "-hls_playlist_type", "vod"],
    ...["-hls_segment_type", "fmp4", "-hls_flags", "single_file", "-hls_segment_filename", outputs.video],
    ...["-y", outputs.playlist],
    ...["-map", "[t]", "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "-y", outputs.thumbnail],
  ];
  return { input, video, thumbnail, thumbnailAtSeconds, frameRate, args };
}
