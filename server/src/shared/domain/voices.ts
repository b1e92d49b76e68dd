/**
 * The voices `videos.generate` accepts: espeak-ng voice names, which the local provider speaks and
 * the HTTP provider receives as they are. Kept short so the API can document each one.
 */
export const VOICES = ["en-us", "en-gb", "de", "fr", "es", "it"] as const;
export type Voice = (typeof VOICES)[number];
export const DEFAULT_VOICE: Voice = "en-us";

export const SCRIPT_MAX_LENGTH = 5000;

export function isVoice(value: string): value is Voice {
  return (VOICES as readonly string[]).includes(value);
}
