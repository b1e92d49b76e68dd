import { targetDurationOf, type HlsIndex } from "../../../shared/domain/hls-index.js";

/** What the master playlist says of one rendition that streams. */
export interface StreamVariant {
  quality: string;
  width: number | null;
  height: number | null;
  codecs: string | null;
  frameRate: number | null;
  /** The whole stored object, init section included. */
  sizeBytes: number;
  hls: HlsIndex;
}

const MPEGURL_HEADER = ["#EXTM3U", "#EXT-X-VERSION:7"];

export function totalDurationOf(index: HlsIndex): number {
  return index.segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
}

/** HLS wants the peak segment bit rate; it can never be below the average a player plans with. */
export function bandwidthOf(variant: StreamVariant): { peak: number; average: number } {
  const average = Math.ceil((variant.sizeBytes * 8) / totalDurationOf(variant.hls));
  const peak = Math.max(...variant.hls.segments.map((segment) => Math.ceil((segment.length * 8) / segment.durationSeconds)));
  return { peak: Math.max(peak, average), average };
}

/** One STREAM-INF per variant, lowest first, each pointing at `<quality>.m3u8` beside this playlist (so the token carries over). */
export function masterPlaylist(variants: readonly StreamVariant[]): string {
  const ordered = [...variants]
    .map((variant) => ({ variant, bandwidth: bandwidthOf(variant) }))
    .sort((a, b) => (a.variant.height ?? 0) - (b.variant.height ?? 0) || a.bandwidth.peak - b.bandwidth.peak);
  const lines = [...MPEGURL_HEADER, "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const { variant, bandwidth } of ordered) {
    const attributes = [`BANDWIDTH=${bandwidth.peak}`, `AVERAGE-BANDWIDTH=${bandwidth.average}`];
    if (variant.width && variant.height) attributes.push(`RESOLUTION=${variant.width}x${variant.height}`);
    if (variant.frameRate) attributes.push(`FRAME-RATE=${variant.frameRate.toFixed(3)}`);
    if (variant.codecs) attributes.push(`CODECS="${quotable(variant.codecs)}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(",")}`, `${variant.quality}.m3u8`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The media playlist of one rendition: every segment a byte range of the one object at `mediaUrl`,
 * so the file stored for progressive download is the file streamed.
 */
export function variantPlaylist(index: HlsIndex, mediaUrl: string): string {
  const url = quotable(mediaUrl);
  const lines = [
    ...MPEGURL_HEADER,
    `#EXT-X-TARGETDURATION:${targetDurationOf(index)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    `#EXT-X-MAP:URI="${url}",BYTERANGE="${index.init.length}@${index.init.offset}"`,
  ];
  for (const segment of index.segments) {
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, `#EXT-X-BYTERANGE:${segment.length}@${segment.offset}`, url);
  }
  lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

/** A quoted-string attribute may hold neither a double quote nor a line break (RFC 8216 §4.2). */
function quotable(value: string): string {
  if (/["\r\n]/.test(value)) throw new Error("A playlist value may not contain quotes or line breaks");
  return value;
}
