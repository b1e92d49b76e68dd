import type { DomainError } from "../shared/domain/domain-error.js";
import { mediaToolFailed, undecodableMedia } from "../shared/application/media-transcoder.js";
import type { FfmpegOutcome } from "./ffmpeg-process.js";
import type { ProbeInput } from "./ffprobe.prober.js";

/**
 * Lines ffmpeg prints when the input itself is the problem. Only read after a non-zero exit:
 * a playable file with a few damaged frames also logs "Invalid data found" and still exits 0.
 */
const UNDECODABLE = [
  /moov atom not found/i,
  /Invalid data found when processing input/i,
  /matches no streams/i, // [0:v:0] on a file without video
  /does not contain any stream/i,
  /Cannot determine format of input stream/i, // nothing decodable before EOF
  /could not find codec parameters/i,
  /Decoder \([^)]*\) not found/i,
  /Format .*?not on whitelist/i, // a playlist or picture under a video's name
];

/** Checked first: these say the surroundings failed, whatever else the log contains. */
const ENVIRONMENT = /No space left on device|Cannot allocate memory|Too many open files|Read-only file system/i;

/**
 * Decides permanent (the source is bad) or transient (anything else) for a run that did not
 * succeed. When in doubt it says transient: retries are bounded, a wrongly failed upload is not.
 */
export async function classifyFailure(
  outcome: Exclude<FfmpegOutcome, { kind: "aborted" }>,
  input: ProbeInput,
  ffmpegPath: string,
  timeoutMs: number,
): Promise<DomainError> {
  const stderr = redact(outcome.stderrTail, input);
  const details = { stderr };
  switch (outcome.kind) {
    case "spawn_failed":
      return mediaToolFailed("binary_missing", `ffmpeg could not be started (${outcome.errorCode}): ${ffmpegPath}`, details);
    case "timeout":
      return mediaToolFailed("timeout", `ffmpeg did not finish within ${timeoutMs} ms`, details);
    case "exited":
      break;
  }
  if (outcome.signal) return mediaToolFailed("killed", `ffmpeg was killed by ${outcome.signal}`, details);
  if (ENVIRONMENT.test(stderr)) return mediaToolFailed("environment", `ffmpeg failed: ${lastLine(stderr)}`, details);
  if (await input.unreachable(stderr)) return mediaToolFailed("input_unreachable", "ffmpeg could not read the source", details);
  const cause = stderr.split("\n").find((line) => UNDECODABLE.some((pattern) => pattern.test(line)));
  // "[mov,mp4,… @ 0x1234] moov atom not found" → "moov atom not found": the job's lastError is read by people.
  if (cause)
    return undecodableMedia(`The source cannot be decoded: ${cause.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, "").trim()}`, details);
  return mediaToolFailed("ffmpeg_failed", `ffmpeg exited with code ${outcome.code}: ${lastLine(stderr)}`, details);
}

/** A presigned URL's query string is a credential: error messages and logs get origin + path only. */
export function redact(text: string, input: ProbeInput): string {
  return text.split(input.arg).join(input.redacted).trim();
}

function lastLine(stderr: string): string {
  return stderr.split("\n").at(-1)?.slice(0, 300) || "no error output";
}
