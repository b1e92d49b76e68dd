import type { CaptionLayout } from "./caption-layout.js";

/** One line of one caption: its text is in a file of its own (drawtext `textfile=`), never in the graph. */
export interface CaptionLine {
  textFile: string;
  startSeconds: number;
  endSeconds: number;
  /** This line's index and the caption's line count, for the vertical position. */
  line: number;
  lines: number;
}

export interface RenderPlanInput {
  width: number;
  height: number;
  fps: number;
  totalSeconds: number;
  layout: CaptionLayout;
  fontFile: string;
  audioFile: string;
  captions: readonly CaptionLine[];
  /** Where the filter graph is written (`-filter_complex_script`): a long script's graph outgrows one argument. */
  filterScriptFile: string;
  outputFile: string;
}

export const BACKGROUND_COLOUR = "0x1e293b";
export const RENDER_FPS = 24;

/**
 * Escapes a value for a filter option inside a filter graph. Two parsers read it: the graph's
 * (which splits filters at `,` `;` `[` `]` and removes one level of quotes and backslashes),
 * then the filter's option parser (which splits at `:` and removes another). So the value is
 * quoted for the option parser, and that result escaped for the graph parser.
 */
export function escapeFilterValue(value: string): string {
  const quoted = `'${value.replace(/'/g, "'\\''")}'`;
  return quoted.replace(/[\\'[\],;]/g, (char) => `\\${char}`);
}

/** Seconds for an expression: fixed notation, enough digits for a sample-exact start. */
function seconds(value: number): string {
  return value.toFixed(4);
}

/** The graph: a colour background, then one drawtext a caption line, each enabled only while its segment plays. */
export function filterGraph(input: Omit<RenderPlanInput, "audioFile" | "filterScriptFile" | "outputFile">): string {
  const { layout, height } = input;
  const font = escapeFilterValue(input.fontFile);
  const border = Math.max(1, Math.round(layout.fontSize / 14));
  const filters = input.captions.map((caption) => {
    const blockTop = (height - caption.lines * layout.lineHeight) / 2;
    const y = Math.round(blockTop + caption.line * layout.lineHeight);
    const options = [
      `fontfile=${font}`,
      `textfile=${escapeFilterValue(caption.textFile)}`,
      // The caption is shown as written: no %{…} expansion of the user's text.
      "expansion=none",
      `fontsize=${layout.fontSize}`,
      "fontcolor=white",
      `borderw=${border}`,
      "bordercolor=black@0.55",
      "x=(w-text_w)/2",
      `y=${y}`,
      `enable=${escapeFilterValue(`between(t,${seconds(caption.startSeconds)},${seconds(caption.endSeconds)})`)}`,
    ];
    return `drawtext=${options.join(":")}`;
  });
  return `[0:v]${[...filters, "format=yuv420p"].join(",\n")}[v]`;
}

/**
 * ffmpeg's arguments: the lavfi colour source for the whole duration, the prepared speech track,
 * H.264 tuned for still frames (a caption changes a few times a minute) and AAC, moov first.
 */
export function renderArgs(input: RenderPlanInput): string[] {
  const size = `${input.width}x${input.height}`;
  const duration = seconds(input.totalSeconds);
  return [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1", "-y"],
    ...["-f", "lavfi", "-i", `color=c=${BACKGROUND_COLOUR}:s=${size}:r=${input.fps}:d=${duration}`],
    ...["-i", input.audioFile],
    ...["-filter_complex_script", input.filterScriptFile, "-map", "[v]", "-map", "1:a"],
    ...["-c:v", "libx264", "-preset", "superfast", "-tune", "stillimage", "-pix_fmt", "yuv420p", "-r", String(input.fps)],
    ...["-c:a", "aac", "-b:a", "96k", "-ar", "44100"],
    ...["-t", duration, "-movflags", "+faststart", "-f", "mp4", input.outputFile],
  ];
}
