/**
 * How captions fit a video box: a font size relative to the height, how many characters a line
 * holds, and greedy word-wrapping. drawtext neither wraps nor centres lines, so each line is
 * measured here and drawn by its own filter.
 */

export interface CaptionLayout {
  fontSize: number;
  /** Distance between baselines. */
  lineHeight: number;
  /** Characters that fit one line at this size, with an estimate on the wide side. */
  maxLineChars: number;
  /** Lines one caption may use; longer sentences are split into several captions. */
  maxLines: number;
}

/**
 * DejaVu Sans averages about 0.55 em per character in running text; 0.6 leaves room for a line of
 * wide letters, so an estimated line seldom overruns the margin.
 */
const EM_PER_CHAR = 0.6;
/** Text may use this share of the width; the rest is margin. */
const TEXT_WIDTH_SHARE = 0.88;
const FONT_SHARE_OF_HEIGHT = 0.07;
/** A narrow box keeps at least this many characters a line by using a smaller font. */
const MIN_LINE_CHARS = 18;
const MIN_FONT_SIZE = 10;
const MAX_LINES = 3;

export function captionLayout(width: number, height: number): CaptionLayout {
  const byHeight = Math.round(height * FONT_SHARE_OF_HEIGHT);
  const byWidth = Math.floor((width * TEXT_WIDTH_SHARE) / (MIN_LINE_CHARS * EM_PER_CHAR));
  const fontSize = Math.max(MIN_FONT_SIZE, Math.min(byHeight, byWidth));
  const maxLineChars = Math.max(1, Math.floor((width * TEXT_WIDTH_SHARE) / (fontSize * EM_PER_CHAR)));
  return { fontSize, lineHeight: Math.round(fontSize * 1.3), maxLineChars, maxLines: MAX_LINES };
}

/**
 * Greedy word-wrap: words are never broken unless a single word is longer than a line (a URL, a
 * long compound), which is then cut into line-sized pieces.
 */
export function wrapText(text: string, maxLineChars: number): string[] {
  const limit = Math.max(1, Math.floor(maxLineChars));
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const pieces = chunkWord(word, limit);
    for (const piece of pieces) {
      if (line === "") line = piece;
      else if (length(line) + 1 + length(piece) <= limit) line += ` ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** In code points, as a reader counts characters (an accented letter or an emoji is one). */
function length(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function chunkWord(word: string, limit: number): string[] {
  const chars = Array.from(word); // code points: never cut a surrogate pair in half
  if (chars.length <= limit) return [word];
  const pieces: string[] = [];
  for (let start = 0; start < chars.length; start += limit) pieces.push(chars.slice(start, start + limit).join(""));
  return pieces;
}

/** Whether a caption fits the layout's line budget once wrapped. */
export function fitsCaption(text: string, layout: Pick<CaptionLayout, "maxLineChars" | "maxLines">): boolean {
  return wrapText(text, layout.maxLineChars).length <= layout.maxLines;
}
