import type { TranscodeProgress } from "../shared/application/media-transcoder.js";

/**
 * Reads ffmpeg's `-progress` output one line at a time: `key=value` lines in blocks that end with
 * `progress=continue` or `progress=end`. Only the block's end is acted on, so a block split
 * across pipe reads is never half-seen.
 */
export class FfmpegProgressParser {
  private block = new Map<string, string>();

  /** Returns the encoder's position when this line ends a block that has one, else null. */
  push(line: string): { outTimeSeconds: number; speed?: number } | null {
    const equals = line.indexOf("=");
    if (equals <= 0) return null;
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (key !== "progress") {
      this.block.set(key, value);
      return null;
    }
    const block = this.block;
    this.block = new Map();
    // out_time_us is "N/A" before the first packet; out_time_ms is also microseconds (an old ffmpeg bug kept for compatibility).
    const micros = Number(block.get("out_time_us") ?? block.get("out_time_ms"));
    if (!Number.isFinite(micros) || micros < 0) return null;
    const speed = Number.parseFloat(block.get("speed") ?? "");
    return { outTimeSeconds: micros / 1e6, ...(Number.isFinite(speed) ? { speed } : {}) };
  }
}

/**
 * Turns encoder positions into percentages for a listener: never decreasing, held below 100 while
 * the work is unfinished (the muxer's faststart pass and the checksums still run after the last
 * frame), and at most one report per interval so a fast encode does not flood the event bus.
 */
export class ProgressThrottle {
  private lastPercent = -1;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly durationSeconds: number,
    private readonly emit: (progress: TranscodeProgress) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(position: { outTimeSeconds: number; speed?: number }): void {
    const raw = this.durationSeconds > 0 ? (position.outTimeSeconds / this.durationSeconds) * 100 : 0;
    const percent = Math.max(this.lastPercent, Math.min(99, Math.floor(raw * 10) / 10));
    const at = this.now();
    if (percent <= this.lastPercent || at - this.lastAt < this.intervalMs) return;
    this.lastPercent = percent;
    this.lastAt = at;
    this.emit({
      percent,
      outTimeSeconds: position.outTimeSeconds,
      ...(position.speed !== undefined ? { speed: position.speed } : {}),
    });
  }

  /** The one 100 %, sent whatever the interval, once the outputs are published. */
  finish(): void {
    this.lastPercent = 100;
    this.emit({ percent: 100, outTimeSeconds: this.durationSeconds });
  }
}
