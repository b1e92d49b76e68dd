import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { captionLayout, fitsCaption, wrapText } from "../../server/src/generation/local/caption-layout.js";
import { DEFAULT_PAUSES, planTimeline } from "../../server/src/generation/local/caption-timing.js";
import { escapeFilterValue, filterGraph } from "../../server/src/generation/local/render-args.js";
import { splitLongSentence, splitScript, splitSentences } from "../../server/src/generation/local/sentences.js";
import { parseWav, wavHeader } from "../../server/src/generation/local/wav.js";

describe("splitSentences", () => {
  it.each([
    ["Hello world. How are you? Fine!", ["Hello world.", "How are you?", "Fine!"]],
    ["No terminator at the end", ["No terminator at the end"]],
    ["Wait!? Really?! Yes.", ["Wait!?", "Really?!", "Yes."]],
    ['He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]],
    ["(An aside.) Back to it.", ["(An aside.)", "Back to it."]],
  ])("%j", (script, expected) => {
    expect(splitSentences(script)).toEqual(expected);
  });

  it("keeps abbreviations, initials, decimals and list numbers inside their sentence", () => {
    expect(splitSentences("Mr. Smith met Dr. Jones at 3.5 km from St. Paul. They talked.")).toEqual([
      "Mr. Smith met Dr. Jones at 3.5 km from St. Paul.",
      "They talked.",
    ]);
    expect(splitSentences("J. R. R. Tolkien wrote it. Fruit, e.g. Apples, vs. Pears. Approx. ten.")).toEqual([
      "J. R. R. Tolkien wrote it.",
      "Fruit, e.g. Apples, vs. Pears.",
      "Approx. ten.",
    ]);
    expect(splitSentences("It costs approx. ten euros. Done.")).toEqual(["It costs approx. ten euros.", "Done."]);
    expect(splitSentences("1. Buy milk. 2. Drink it.")).toEqual(["1. Buy milk.", "2. Drink it."]);
    expect(splitSentences("Apples, pears, etc. Then we went home.")).toEqual(["Apples, pears, etc.", "Then we went home."]);
  });

  it("ends a sentence at an ellipsis only when a new one starts after it", () => {
    expect(splitSentences("And then... nothing happened. Wait… What?")).toEqual([
      "And then... nothing happened.",
      "Wait…",
      "What?",
    ]);
    expect(splitSentences("So... That was it...")).toEqual(["So...", "That was it..."]);
  });

  it("treats blank lines and line breaks as boundaries, but joins a hard-wrapped sentence", () => {
    expect(splitSentences("A title\n\nFirst paragraph\nSecond line\r\nthat goes on.\n\n\n  \n- a list item")).toEqual([
      "A title",
      "First paragraph",
      "Second line that goes on.",
      "- a list item",
    ]);
  });

  it("drops pieces with nothing to say and collapses whitespace", () => {
    expect(splitSentences("   \n\t\n ... !!! ?\n  Real   words\there.  \u0000 ")).toEqual(["Real words here."]);
    expect(splitSentences("")).toEqual([]);
    expect(splitSentences("\n\n   \n")).toEqual([]);
    expect(splitSentences("-- * --")).toEqual([]);
  });

  it("handles other scripts and accents", () => {
    expect(splitSentences("Ça va? Très bien. Grüß Gott! ¿Qué tal? Bien.")).toEqual([
      "Ça va?",
      "Très bien.",
      "Grüß Gott!",
      "¿Qué tal?",
      "Bien.",
    ]);
  });
});

describe("caption layout and wrapping", () => {
  it("sizes the font by the height and the line by the width", () => {
    const small = captionLayout(640, 360);
    const large = captionLayout(1280, 720);
    expect(large.fontSize).toBeGreaterThan(small.fontSize);
    expect(large.fontSize / 720).toBeCloseTo(small.fontSize / 360, 1);
    for (const layout of [small, large]) {
      expect(layout.maxLineChars).toBeGreaterThanOrEqual(25);
      expect(layout.maxLineChars * layout.fontSize * 0.6).toBeLessThanOrEqual(0.9 * (layout === small ? 640 : 1280));
    }
    const narrow = captionLayout(360, 640);
    expect(narrow.maxLineChars).toBeGreaterThanOrEqual(18);
    expect(narrow.maxLineChars * narrow.fontSize * 0.6).toBeLessThanOrEqual(360);
  });

  it("wraps at spaces and cuts only words longer than a line", () => {
    expect(wrapText("the quick brown fox jumps over the lazy dog", 10)).toEqual([
      "the quick",
      "brown fox",
      "jumps over",
      "the lazy",
      "dog",
    ]);
    expect(wrapText("see https://example.invalid/a/very/long/path now", 12)).toEqual([
      "see",
      "https://exam",
      "ple.invalid/",
      "a/very/long/",
      "path now",
    ]);
    expect(wrapText("  ", 10)).toEqual([]);
    expect(wrapText("äöü ßéè", 7)).toEqual(["äöü ßéè"]);
  });

  it("splits a sentence too long for one caption at clauses, then at words", () => {
    const layout = { maxLineChars: 20, maxLines: 2 };
    const sentence = "First clause here, second clause is here; and a third clause follows it: then the end.";
    const parts = splitLongSentence(sentence, layout);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join(" ")).toBe(sentence);
    for (const part of parts) expect(fitsCaption(part, layout)).toBe(true);
    expect(parts[0]).toBe("First clause here,");

    const noCommas = Array.from({ length: 30 }, (_, index) => `word${index}`).join(" ");
    const pieces = splitLongSentence(noCommas, layout);
    expect(pieces.join(" ")).toBe(noCommas);
    for (const piece of pieces) expect(fitsCaption(piece, layout)).toBe(true);

    const huge = "x".repeat(100);
    const cut = splitLongSentence(huge, layout);
    expect(cut.join("")).toBe(huge);
    for (const piece of cut) expect(fitsCaption(piece, layout)).toBe(true);
  });

  it("gives segments that all fit, with endsSentence on each sentence's last part", () => {
    const layout = captionLayout(640, 360);
    const long = `${"This sentence keeps going, ".repeat(12)}and finally stops.`;
    const segments = splitScript(`Short one. ${long} Last.`, layout);
    expect(segments[0]).toEqual({ text: "Short one.", endsSentence: true });
    expect(segments.at(-1)).toEqual({ text: "Last.", endsSentence: true });
    const middle = segments.slice(1, -1);
    expect(middle.length).toBeGreaterThan(1);
    expect(middle.map((segment) => segment.endsSentence)).toEqual([...middle.slice(1).map(() => false), true]);
    expect(middle.map((segment) => segment.text).join(" ")).toBe(long);
    for (const segment of segments) expect(fitsCaption(segment.text, layout)).toBe(true);
  });

  it("keeps every word of a 5000-character script, each segment on screen", () => {
    const words = ["alpha", "beta,", "gamma", "delta.", "Epsilon", "zeta!", "Eta", "theta?", "iota"];
    let script = "";
    for (let index = 0; script.length < 4990; index++) script += `${words[index % words.length]} `;
    const layout = captionLayout(640, 360);
    const segments = splitScript(script, layout);
    expect(segments.map((segment) => segment.text).join(" ")).toBe(script.trim());
    for (const segment of segments) expect(fitsCaption(segment.text, layout)).toBe(true);
  });
});

describe("planTimeline", () => {
  it("puts captions back to back with a longer pause after a sentence than inside one", () => {
    const rate = 22_050;
    const timeline = planTimeline(
      [
        { samples: rate, endsSentence: false },
        { samples: rate / 2, endsSentence: true },
        { samples: rate * 2, endsSentence: true },
      ],
      rate,
    );
    const clause = Math.round(DEFAULT_PAUSES.clauseSeconds * rate);
    const sentence = Math.round(DEFAULT_PAUSES.sentenceSeconds * rate);
    expect(timeline.captions.map((caption) => [caption.startSample, caption.endSample])).toEqual([
      [0, rate],
      [rate + clause, rate + clause + rate / 2],
      [rate * 1.5 + clause + sentence, rate * 3.5 + clause + sentence],
    ]);
    expect(timeline.totalSamples).toBe(rate * 3.5 + clause + sentence);
    expect(timeline.totalSeconds).toBeCloseTo(3.5 + DEFAULT_PAUSES.clauseSeconds + DEFAULT_PAUSES.sentenceSeconds, 3);
    expect(timeline.captions[2]?.startSeconds).toBeCloseTo((rate * 1.5 + clause + sentence) / rate, 9);
    for (const [index, caption] of timeline.captions.entries()) {
      expect(caption.endSeconds).toBeGreaterThan(caption.startSeconds);
      const next = timeline.captions[index + 1];
      if (next) expect(next.startSeconds).toBeGreaterThan(caption.endSeconds);
    }
  });

  it("has no pause for a single segment and nothing for none", () => {
    expect(planTimeline([{ samples: 100, endsSentence: true }], 1000, { sentenceSeconds: 1, clauseSeconds: 1 })).toMatchObject({
      totalSamples: 100,
      totalSeconds: 0.1,
    });
    expect(planTimeline([], 1000)).toMatchObject({ captions: [], totalSamples: 0, totalSeconds: 0 });
    expect(() => planTimeline([], 0)).toThrow(RangeError);
  });
});

describe("WAV reading", () => {
  const format = { sampleRate: 22_050, channels: 1, bitsPerSample: 16 };

  it("reads what wavHeader writes, and a data size past the end as up to the end", () => {
    const data = Buffer.from([1, 0, 2, 0, 3, 0]);
    expect(parseWav(Buffer.concat([wavHeader(6, format), data]))).toMatchObject({ ...format, samples: 3 });
    const streamed = Buffer.concat([wavHeader(0xffffffff - 36, format), data]);
    expect(parseWav(streamed).samples).toBe(3);
  });

  it("refuses what is not 16-bit PCM WAVE", () => {
    expect(() => parseWav(Buffer.from("not a wav at all"))).toThrow(/RIFF/);
    const float = wavHeader(4, format);
    float.writeUInt16LE(3, 20);
    expect(() => parseWav(Buffer.concat([float, Buffer.alloc(4)]))).toThrow(/unsupported/);
  });
});

describe("drawtext escaping", () => {
  it("quotes for the option parser, then escapes for the graph parser", () => {
    expect(escapeFilterValue("/plain/path.ttf")).toBe("\\'/plain/path.ttf\\'");
    expect(escapeFilterValue("between(t,1,2)")).toBe("\\'between(t\\,1\\,2)\\'");
    expect(escapeFilterValue("it's:[a];b\\c")).toBe("\\'it\\'\\\\\\'\\'s:\\[a\\]\\;b\\\\c\\'");
  });

  it("never puts caption text in the graph: one textfile per line, no expansion", () => {
    const graph = filterGraph({
      width: 640,
      height: 360,
      fps: 25,
      totalSeconds: 3,
      layout: captionLayout(640, 360),
      fontFile: "/fonts/DejaVuSans.ttf",
      captions: [
        { textFile: "/work/caption-0-0.txt", startSeconds: 0, endSeconds: 1.25, line: 0, lines: 2 },
        { textFile: "/work/caption-0-1.txt", startSeconds: 0, endSeconds: 1.25, line: 1, lines: 2 },
      ],
    });
    expect(graph.startsWith("[0:v]drawtext=")).toBe(true);
    expect(graph.endsWith("format=yuv420p[v]")).toBe(true);
    expect(graph.match(/drawtext=/g)).toHaveLength(2);
    expect(graph.match(/expansion=none/g)).toHaveLength(2);
    expect(graph).toContain("between(t\\,0.0000\\,1.2500)");
  });
});

describe("the espeak-ng licence boundary (docs/adr/0018)", () => {
  it("lets only the speech child script import espeak-ng", () => {
    const root = fileURLToPath(new URL("../../server/src", import.meta.url));
    const importers = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(m?[jt]s)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) =>
        /from\s+["']espeak-ng["']|import\(\s*["']espeak-ng["']|resolve\(\s*["']espeak-ng/.test(readFileSync(file, "utf8")),
      )
      .map((file) => path.relative(root, file));
    expect(importers).toEqual(["generation/local/espeak-synth.mjs"]);
  });
});
