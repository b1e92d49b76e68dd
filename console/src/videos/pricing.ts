/**
 * What the server charges, mirrored because no procedure answers a price before the charge: the
 * console must show the cost before the user confirms. The rules are the server's billing rules
 * (credit-rules.ts: transcodeCost, GENERATION_COST) and its ladder rule (quality.ts: ladderFor);
 * a change there must be made here too until the API exposes prices.
 */
import type { RouterOutputs } from "../api/client";

export type Quality = RouterOutputs["jobs"]["get"]["quality"];
export type Tier = RouterOutputs["auth"]["me"]["tier"];
type Job = RouterOutputs["jobs"]["get"];

/** Lowest first, as the server orders its ladder. */
export const QUALITIES: readonly Quality[] = ["P360", "P720", "P1080"];

const CREDITS_PER_MINUTE: Record<Quality, number> = { P360: 1, P720: 2, P1080: 4 };
const SHORT_SIDE: Record<Quality, number> = { P360: 360, P720: 720, P1080: 1080 };
const HIGHEST_FOR_TIER: Record<Tier, Quality> = { FREE: "P720", PREMIUM: "P1080" };

export const QUALITY_LABELS: Record<Quality, string> = { P360: "360p", P720: "720p", P1080: "1080p" };

/** A generation costs the same whatever its length. */
export const GENERATION_COST = 5;

/** Every started minute of the source, at 1 / 2 / 4 credits for 360p / 720p / 1080p; at least one minute. */
export function transcodeCost(durationSeconds: number, quality: Quality): number {
  const minutes = Math.max(1, Math.ceil(Math.max(0, durationSeconds) / 60));
  return minutes * CREDITS_PER_MINUTE[quality];
}

export function highestFor(tier: Tier): Quality {
  return HIGHEST_FOR_TIER[tier];
}

export function isAllowedFor(quality: Quality, tier: Tier): boolean {
  return QUALITIES.indexOf(quality) <= QUALITIES.indexOf(HIGHEST_FOR_TIER[tier]);
}

/** The rungs a source can fill up to `max`: the lowest always, a higher one only without upscaling. */
export function ladderFor(width: number, height: number, max: Quality): Quality[] {
  const shortSide = Math.min(width, height);
  return QUALITIES.slice(0, QUALITIES.indexOf(max) + 1).filter(
    (quality, index) => index === 0 || shortSide >= SHORT_SIDE[quality],
  );
}

/**
 * Qualities the server skips in a ladder (and refuses for a single job): a rendition made by a
 * finished job, or a job queued or running for it.
 */
export function coveredQualities(jobs: readonly Job[]): Set<Quality> {
  return new Set(jobs.filter((job) => job.status !== "FAILED" && job.status !== "CANCELLED").map((job) => job.quality));
}

export interface PricedRung {
  quality: Quality;
  cost: number;
}

/** The jobs videos.processLadder would start now, each with what it charges. */
export function ladderQuote(
  video: { durationSeconds: number; width: number; height: number },
  tier: Tier,
  covered: ReadonlySet<Quality>,
): PricedRung[] {
  return ladderFor(video.width, video.height, highestFor(tier))
    .filter((quality) => !covered.has(quality))
    .map((quality) => ({ quality, cost: transcodeCost(video.durationSeconds, quality) }));
}
