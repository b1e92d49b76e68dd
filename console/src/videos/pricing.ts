/**
 * How the console names qualities. Prices, the ladder's rungs and what a tier may ask for come from
 * the server (videos.quote, credits.prices), never from a copy of its rules here.
 */
import type { RouterOutputs } from "../api/client";

export type Quality = RouterOutputs["jobs"]["get"]["quality"];

/** Lowest first, as the server orders its ladder. */
export const QUALITIES: readonly Quality[] = ["P360", "P720", "P1080"];

export const QUALITY_LABELS: Record<Quality, string> = { P360: "360p", P720: "720p", P1080: "1080p" };
