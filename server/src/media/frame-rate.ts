/**
 * The one constant frame rate every rendition of a source is encoded at, so that a keyframe every
 * 2 s falls on the same instants on every rung and HLS can switch rungs at any segment boundary.
 */

/** Above this a web player gains nothing visible and the encoder's CPU cost keeps growing. */
export const MAX_FRAME_RATE = 60;
/** When the source does not state a usable rate (some Matroska/WebM, broken headers). */
export const DEFAULT_FRAME_RATE: OutputFrameRate = { expr: "30", value: 30 };

export interface OutputFrameRate {
  /** For ffmpeg's fps filter: exact, so 29.97 is 30000/1001 and never drifts. */
  expr: string;
  value: number;
}

/** Rates cameras and editors actually produce; a measured average this close to one is that one. */
const STANDARD: readonly OutputFrameRate[] = (
  [
    [24000, 1001],
    [24, 1],
    [25, 1],
    [30000, 1001],
    [30, 1],
    [48, 1],
    [50, 1],
    [60000, 1001],
    [60, 1],
  ] as const
).map(([num, den]) => ({ expr: den === 1 ? String(num) : `${num}/${den}`, value: num / den }));
const SNAP_TOLERANCE = 0.01;
/** Outside this a "rate" is a broken header (1/0, 90000 from a timebase), not a frame rate. */
const PLAUSIBLE = { min: 1, max: 1000 };

/** ffprobe's "30000/1001"; undefined for "0/0" and anything unparseable. */
export function parseRate(text: string | undefined): number | undefined {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  const value = Number(match[1]) / Number(match[2] ?? 1);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Source rate → output rate. Above the cap it is divided by the smallest whole number that brings
 * it under (120 → 60, 100 → 50, not 100 → 60), so every k-th frame is kept and motion stays even;
 * a near-standard average (a phone's 30.2 VFR clip) becomes that standard rate.
 */
export function outputFrameRate(source: number | null | undefined): OutputFrameRate {
  if (source === null || source === undefined || !(source >= PLAUSIBLE.min && source <= PLAUSIBLE.max)) {
    return DEFAULT_FRAME_RATE;
  }
  const rate = source / Math.ceil(source / MAX_FRAME_RATE - 1e-9);
  const standard = nearestStandard(rate);
  if (standard) return standard;
  const milli = Math.round(rate * 1000);
  return { expr: milli % 1000 === 0 ? String(milli / 1000) : `${milli}/1000`, value: milli / 1000 };
}

function nearestStandard(rate: number): OutputFrameRate | undefined {
  let best: OutputFrameRate | undefined;
  for (const candidate of STANDARD) {
    const off = Math.abs(rate / candidate.value - 1);
    if (off <= SNAP_TOLERANCE && (!best || off < Math.abs(rate / best.value - 1))) best = candidate;
  }
  return best;
}

/** A keyframe at least this often, and exactly on every 2 s mark (see keyframeArgs). */
export const SEGMENT_SECONDS = 2;

/**
 * x264 options for a keyframe on the first frame at or after every 2 s mark, and nowhere else:
 * forced keyframes by time (exact at integer 2×fps; within a frame of the mark at 29.97, without
 * drift), scene-cut keyframes off, and the GOP cap one segment long so x264 never adds its own.
 */
export function keyframeArgs(rate: OutputFrameRate): string[] {
  const gop = String(Math.ceil(rate.value * SEGMENT_SECONDS - 1e-9));
  return [
    ...["-force_key_frames", `expr:gte(t,n_forced*${SEGMENT_SECONDS})`],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"],
  ];
}
