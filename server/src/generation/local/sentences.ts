import { fitsCaption, wrapText, type CaptionLayout } from "./caption-layout.js";

/** One piece of the script: spoken as one WAV and shown as one caption while it plays. */
export interface ScriptSegment {
  text: string;
  /** True when the piece ends a sentence (a longer pause follows); false for a part of a long sentence. */
  endsSentence: boolean;
}

/** Never the end of a sentence: titles before a name, and abbreviations a number or a noun follows. */
const NON_TERMINAL = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "sr",
  "jr",
  "st",
  "mt",
  "rev",
  "gen",
  "col",
  "capt",
  "lt",
  "sgt",
  "hon",
  "e.g",
  "i.e",
  "vs",
  "cf",
  "approx",
  "fig",
  "no",
  "nos",
  "vol",
  "ca",
  "incl",
  "dept",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
]);

/** ., !, ? and ellipses (… or two or more dots), with closing quotes or brackets, before a space or the end. */
const TERMINATOR = /([.!?\u2026]+)(["'\u201d\u2019\u00bb)\]]*)(?=\s|$)/gu;
/** What may open a new sentence after an ellipsis: a capital, a digit, an opening quote or bracket. */
const SENTENCE_START = /^["'\u201c\u2018\u00ab([\u00bf\u00a1]*[\p{Lu}\p{Lt}\p{N}]/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\ufeff]/g;

/**
 * The script's sentences, trimmed, in order; pieces with nothing to say (only punctuation or
 * whitespace) are dropped. A blank line always ends a sentence; a single line break does too
 * unless the next line starts with a lower-case letter (a hard-wrapped sentence that goes on).
 */
export function splitSentences(script: string): string[] {
  const sentences: string[] = [];
  for (const block of blocks(script)) sentences.push(...sentencesOf(block));
  return sentences.filter((sentence) => SPEAKABLE.test(sentence));
}

/**
 * The script as segments that each fit one caption of the layout: sentences, with a sentence too
 * long for the caption split at commas, semicolons, colons or dashes, and a clause still too long
 * at spaces between words.
 */
export function splitScript(script: string, layout: Pick<CaptionLayout, "maxLineChars" | "maxLines">): ScriptSegment[] {
  const segments: ScriptSegment[] = [];
  for (const sentence of splitSentences(script)) {
    const parts = splitLongSentence(sentence, layout).filter((part) => SPEAKABLE.test(part));
    parts.forEach((text, index) => segments.push({ text, endsSentence: index === parts.length - 1 }));
  }
  return segments;
}

/** Greedy: as many clauses (then words) per caption as fit. */
export function splitLongSentence(sentence: string, layout: Pick<CaptionLayout, "maxLineChars" | "maxLines">): string[] {
  const fits = (text: string) => fitsCaption(text, layout);
  if (fits(sentence)) return [sentence];
  const parts: string[] = [];
  let current = "";
  const add = (piece: string) => {
    const joined = current === "" ? piece : `${current} ${piece}`;
    if (fits(joined)) {
      current = joined;
      return true;
    }
    return false;
  };
  for (const clause of clausesOf(sentence)) {
    if (add(clause)) continue;
    if (current !== "") parts.push(current);
    current = "";
    if (add(clause)) continue;
    for (const word of wordsOf(clause, layout)) {
      if (add(word)) continue;
      if (current !== "") parts.push(current);
      current = word;
    }
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** Clauses keep their trailing punctuation: "one, two; three" → ["one,", "two;", "three"]. */
function clausesOf(sentence: string): string[] {
  return (sentence.match(/[^,;:\u2013\u2014]+(?:[,;:\u2013\u2014]+|$)/gu) ?? [sentence])
    .map((clause) => clause.trim())
    .filter(Boolean);
}

/** Words, with a word longer than a whole caption cut into pieces that each fill one. */
function wordsOf(clause: string, layout: Pick<CaptionLayout, "maxLineChars" | "maxLines">): string[] {
  const perCaption = Math.max(1, layout.maxLineChars * layout.maxLines);
  return clause
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => (fitsCaption(word, layout) ? [word] : wrapText(word, perCaption)));
}

/** Paragraphs and lines joined as the docstring of splitSentences says, whitespace collapsed. */
function blocks(script: string): string[] {
  const text = script.replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n").replace(CONTROL, "");
  const result: string[] = [];
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    let current = "";
    for (const raw of paragraph.split("\n")) {
      const line = raw.replace(/\s+/g, " ").trim();
      if (line === "") continue;
      if (current !== "" && /^\p{Ll}/u.test(line)) current += ` ${line}`;
      else {
        if (current !== "") result.push(current);
        current = line;
      }
    }
    if (current !== "") result.push(current);
  }
  return result;
}

function sentencesOf(block: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of block.matchAll(TERMINATOR)) {
    const end = match.index + match[0].length;
    if (!endsSentence(block, start, match.index, match[1] ?? "", end)) continue;
    sentences.push(block.slice(start, end).trim());
    start = end;
  }
  const rest = block.slice(start).trim();
  if (rest !== "") sentences.push(rest);
  return sentences;
}

function endsSentence(block: string, start: number, at: number, marks: string, end: number): boolean {
  const next = block.slice(end).trimStart();
  if (next === "") return true;
  if (/[!?]/.test(marks)) return true;
  // An ellipsis trails off inside a sentence ("and then… nothing") unless a new sentence starts after it.
  if (marks.length > 1 || marks === "\u2026") return SENTENCE_START.test(next);
  if (/^\p{Ll}/u.test(next)) return false; // "approx. ten", "3 p.m. today"
  const word = (/(\S+)$/u.exec(block.slice(start, at))?.[1] ?? "").replace(/^["'\u201c\u2018\u00ab([]+/u, "");
  if (NON_TERMINAL.has(word.toLowerCase())) return false;
  if (/^\p{L}$/u.test(word)) return false; // an initial: "J. R. R. Tolkien"
  // "1. Buy milk": a list number is not a sentence of its own.
  if (/^\d{1,3}$/.test(block.slice(start, at).trim())) return false;
  return true;
}
