import { hlsIndexSchema, type ByteRange, type HlsIndex, type HlsSegment } from "../shared/domain/hls-index.js";

/**
 * Reads the VOD media playlist ffmpeg's HLS muxer writes for one single-file fMP4 rendition into
 * the byte-range index stored on the rendition's row. Strict on purpose: the playlist is our own
 * tool's output, so anything it was not expected to contain (a key, a discontinuity, a second
 * file, a gap between ranges) means the tool did something else than asked, and the rendition
 * must not be recorded as streamable.
 */
export class HlsPlaylistError extends Error {
  override readonly name = "HlsPlaylistError";
}

/** Tags that carry nothing the index needs; every other tag is refused. */
const IGNORED_TAGS = new Set(["EXT-X-VERSION", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-INDEPENDENT-SEGMENTS"]);

export interface ParseOptions {
  /** When given, the ranges must end exactly at the end of the file. */
  fileSize?: number;
}

export function parseHlsPlaylist(text: string, options: ParseOptions = {}): HlsIndex {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines[0] !== "#EXTM3U") throw new HlsPlaylistError("not an HLS playlist: the first line is not #EXTM3U");

  let init: (ByteRange & { uri: string }) | undefined;
  const segments: HlsSegment[] = [];
  let duration: number | undefined;
  let range: ByteRange | undefined;
  let ended = false;
  let vod = false;

  for (const [index, line] of lines.entries()) {
    if (index === 0) continue;
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 80))})`;
    if (ended) throw new HlsPlaylistError(`${where}: content after #EXT-X-ENDLIST`);
    if (!line.startsWith("#")) {
      if (!init) throw new HlsPlaylistError(`${where}: a segment before #EXT-X-MAP`);
      if (duration === undefined || !range)
        throw new HlsPlaylistError(`${where}: a segment without #EXTINF and #EXT-X-BYTERANGE`);
      if (line !== init.uri) throw new HlsPlaylistError(`${where}: a segment in another file than the init section`);
      segments.push({ ...range, durationSeconds: duration });
      duration = undefined;
      range = undefined;
      continue;
    }
    if (!line.startsWith("#EXT")) continue; // a comment
    const colon = line.indexOf(":");
    const tag = line.slice(1, colon < 0 ? undefined : colon);
    const value = colon < 0 ? "" : line.slice(colon + 1);
    switch (tag) {
      case "EXT-X-MAP": {
        if (init) throw new HlsPlaylistError(`${where}: a second #EXT-X-MAP`);
        const attributes = parseAttributes(value, where);
        const uri = attributes.get("URI");
        const byteRange = attributes.get("BYTERANGE");
        if (!uri || !byteRange || attributes.size !== 2) {
          throw new HlsPlaylistError(`${where}: #EXT-X-MAP must have exactly a URI and a BYTERANGE`);
        }
        init = { ...parseByteRange(byteRange, where), uri };
        break;
      }
      case "EXTINF": {
        if (duration !== undefined) throw new HlsPlaylistError(`${where}: two #EXTINF for one segment`);
        const seconds = /^(\d+(?:\.\d+)?),.*$/.exec(value)?.[1];
        duration = seconds === undefined ? NaN : Number(seconds);
        if (!(duration > 0)) throw new HlsPlaylistError(`${where}: a segment duration must be a positive number`);
        break;
      }
      case "EXT-X-BYTERANGE":
        if (range) throw new HlsPlaylistError(`${where}: two #EXT-X-BYTERANGE for one segment`);
        range = parseByteRange(value, where);
        break;
      case "EXT-X-PLAYLIST-TYPE":
        if (value !== "VOD") throw new HlsPlaylistError(`${where}: the playlist is not VOD`);
        vod = true;
        break;
      case "EXT-X-ENDLIST":
        ended = true;
        break;
      default:
        if (!IGNORED_TAGS.has(tag)) throw new HlsPlaylistError(`${where}: unexpected tag #${tag}`);
    }
  }

  if (!init) throw new HlsPlaylistError("no #EXT-X-MAP: the segments are not fragmented MP4");
  if (!vod || !ended) throw new HlsPlaylistError("the playlist is not a finished VOD playlist");
  if (duration !== undefined || range) throw new HlsPlaylistError("the last segment has no URI");
  if (segments.length === 0) throw new HlsPlaylistError("the playlist has no segments");

  // One file, read front to back: init, then each segment right after the previous one.
  if (init.offset !== 0) throw new HlsPlaylistError(`the init section starts at byte ${init.offset}, not 0`);
  let end = init.offset + init.length;
  for (const [position, segment] of segments.entries()) {
    if (segment.offset !== end) {
      throw new HlsPlaylistError(`segment ${position} starts at byte ${segment.offset}, expected ${end}`);
    }
    end = segment.offset + segment.length;
  }
  if (options.fileSize !== undefined && end !== options.fileSize) {
    throw new HlsPlaylistError(`the ranges end at byte ${end} but the file has ${options.fileSize}`);
  }

  const parsed = hlsIndexSchema.safeParse({ init: { offset: init.offset, length: init.length }, segments });
  if (!parsed.success) throw new HlsPlaylistError(`the index is out of range: ${parsed.error.message}`);
  return parsed.data;
}

/** "1325@0" → { length: 1325, offset: 0 }. The offset is required: ours never relies on "follows the last one". */
function parseByteRange(text: string, where: string): ByteRange {
  const match = /^(\d+)@(\d+)$/.exec(text);
  const range = match ? { length: Number(match[1]), offset: Number(match[2]) } : undefined;
  if (!range || !Number.isSafeInteger(range.length) || !Number.isSafeInteger(range.offset) || range.length === 0) {
    throw new HlsPlaylistError(`${where}: ${JSON.stringify(text)} is not a byte range "length@offset"`);
  }
  return range;
}

/** `URI="a.mp4",BYTERANGE="1325@0"`: quoted or plain values, no duplicates. */
function parseAttributes(text: string, where: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",]*)(,|$)/gy;
  let consumed = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [whole, name = "", raw = ""] = match;
    if (attributes.has(name)) throw new HlsPlaylistError(`${where}: attribute ${name} given twice`);
    attributes.set(name, raw.startsWith('"') ? raw.slice(1, -1) : raw);
    consumed += whole.length;
    if (consumed >= text.length) break;
  }
  if (consumed !== text.length) throw new HlsPlaylistError(`${where}: malformed attribute list`);
  return attributes;
}
