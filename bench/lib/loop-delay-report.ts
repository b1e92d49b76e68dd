import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export const PROBE_TAG = "loopDelayProbe";
/** The probe's timer interval. Node records the time between its ticks, so an idle loop reads ≈ 10 ms, not 0. */
export const PROBE_RESOLUTION_MS = 10;

/** One SIGUSR2 answer: the histogram since the previous one, in milliseconds. */
export interface LoopDelayReport {
  [PROBE_TAG]: number;
  resolutionMs: number;
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Talks to a child started with loop-delay-probe.ts preloaded: `read()` sends SIGUSR2 and resolves
 * with the report the child writes to stderr (which must be piped; other lines are ignored).
 */
export class LoopDelayReader {
  private readonly waiting: ((report: LoopDelayReport) => void)[] = [];

  constructor(private readonly child: ChildProcess) {
    if (!child.stderr) throw new Error("the probed process needs a piped stderr");
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (!line.startsWith(`{"${PROBE_TAG}"`)) return;
      this.waiting.shift()?.(JSON.parse(line) as LoopDelayReport);
    });
  }

  /** The histogram since the last read (or since start-up), and a fresh one from now on. */
  read(timeoutMs = 10_000): Promise<LoopDelayReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event-loop report within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((report) => {
        clearTimeout(timer);
        resolve(report);
      });
      if (!this.child.kill("SIGUSR2")) reject(new Error("could not signal the probed process"));
    });
  }
}
