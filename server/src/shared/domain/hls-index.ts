import { z } from "zod";

/**
 * Where the pieces of one fragmented-MP4 rendition sit in its single stored object: the init
 * section (ftyp + moov) and one byte range per media segment. A variant playlist is rendered from
 * this at request time over one signed media URL, so the file is stored once and serves both
 * progressive download and HLS.
 */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface HlsSegment extends ByteRange {
  durationSeconds: number;
}

export interface HlsIndex {
  init: ByteRange;
  segments: HlsSegment[];
}

const byteRange = { offset: z.number().int().nonnegative(), length: z.number().int().positive() };

/** Parses the JSON column: a row written by an older version, or edited by hand, is refused, not trusted. */
export const hlsIndexSchema = z.object({
  init: z.object(byteRange),
  segments: z.array(z.object({ ...byteRange, durationSeconds: z.number().positive() })).min(1),
});

/** HLS: every segment's EXTINF, rounded to the nearest integer, must not exceed the target duration. */
export function targetDurationOf(index: HlsIndex): number {
  return Math.max(1, ...index.segments.map((segment) => Math.round(segment.durationSeconds)));
}
