import type { Tier } from "./roles.js";

/** Lowest first: the order is the tier ladder and the cost ladder (docs/product-contract.md §1.5). */
export const QUALITIES = ["P360", "P720", "P1080"] as const;
export type Quality = (typeof QUALITIES)[number];

export interface QualitySpec {
  /** The box's long side and short side, written the landscape way as docs/product-contract.md §1.5 does (1280×720). */
  width: number;
  height: number;
  /** The cap on the whole file's bitrate (video + audio), in kb/s. */
  bitrateKbps: number;
}

export const QUALITY_SPECS: Readonly<Record<Quality, QualitySpec>> = {
  P360: { width: 640, height: 360, bitrateKbps: 800 },
  P720: { width: 1280, height: 720, bitrateKbps: 2500 },
  P1080: { width: 1920, height: 1080, bitrateKbps: 5000 },
};

const HIGHEST_FOR_TIER: Readonly<Record<Tier, Quality>> = { FREE: "P720", PREMIUM: "P1080" };

export function highestFor(tier: Tier): Quality {
  return HIGHEST_FOR_TIER[tier];
}

/**
 * The ladder a source can fill up to `max`, lowest first: the lowest quality always (every video
 * gets one rendition), a higher one only when the source's short side reaches the quality's, so
 * no rung is an upscale or a copy of the one below.
 */
export function ladderFor(sourceWidth: number, sourceHeight: number, max: Quality): Quality[] {
  const shortSide = Math.min(sourceWidth, sourceHeight);
  return QUALITIES.slice(0, QUALITIES.indexOf(max) + 1).filter(
    (quality, index) => index === 0 || shortSide >= QUALITY_SPECS[quality].height,
  );
}

export function isQuality(value: string): value is Quality {
  return (QUALITIES as readonly string[]).includes(value);
}

export function isAllowedFor(quality: Quality, tier: Tier): boolean {
  return QUALITIES.indexOf(quality) <= QUALITIES.indexOf(HIGHEST_FOR_TIER[tier]);
}

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * The output size for a source at this quality: inside the quality's box, same aspect ratio,
 * never larger than the source, both sides even (yuv420p needs it) and at least 2.
 *
 * The box follows the source's orientation, as Mux and YouTube treat "720p": a portrait
 * 1080×1920 clip at P720 becomes 720×1280, not 406×720 (docs/adr/0010). A square source
 * fits the short side. Rounding to even may shift the aspect ratio by under one pixel per side;
 * a source smaller than 2 px on a side is the only case that grows (to 2).
 */
export function fitInside(quality: Quality, sourceWidth: number, sourceHeight: number): Dimensions {
  if (!(sourceWidth > 0 && sourceHeight > 0 && Number.isFinite(sourceWidth) && Number.isFinite(sourceHeight))) {
    throw new RangeError(`fitInside: source size must be positive, got ${sourceWidth}×${sourceHeight}`);
  }
  const spec = QUALITY_SPECS[quality];
  const portrait = sourceHeight > sourceWidth;
  const boxWidth = portrait ? spec.height : spec.width;
  const boxHeight = portrait ? spec.width : spec.height;
  const scale = Math.min(1, boxWidth / sourceWidth, boxHeight / sourceHeight);
  return {
    width: evenWithin(sourceWidth * scale, Math.min(boxWidth, sourceWidth)),
    height: evenWithin(sourceHeight * scale, Math.min(boxHeight, sourceHeight)),
  };
}

/** Nearest even number to `exact`, but never above `limit` (rounded down to even), and never below 2. */
function evenWithin(exact: number, limit: number): number {
  const nearest = Math.round(exact / 2) * 2;
  const ceiling = Math.floor(limit / 2) * 2;
  return Math.max(2, Math.min(nearest, ceiling));
}
