/**
 * Preloaded into a process under test, after tsx:
 *
 *   node --import tsx --import ./bench/lib/loop-delay-probe.ts server/src/main.ts
 *
 * Samples the event loop with `monitorEventLoopDelay({ resolution: 10 })` from start-up. On SIGUSR2
 * it writes one JSON line to stderr (see loop-delay-report.ts) with the histogram since the previous
 * SIGUSR2 and starts a new one, so a bench can discard its warm-up and read exactly its load window.
 * It changes nothing else in the process: no import of the app, no timer that keeps it alive.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { PROBE_RESOLUTION_MS, PROBE_TAG, type LoopDelayReport } from "./loop-delay-report.js";

const histogram = monitorEventLoopDelay({ resolution: PROBE_RESOLUTION_MS });
histogram.enable();
let sequence = 0;

process.on("SIGUSR2", () => {
  const ms = (nanoseconds: number) => nanoseconds / 1e6;
  const report: LoopDelayReport = {
    [PROBE_TAG]: ++sequence,
    resolutionMs: PROBE_RESOLUTION_MS,
    count: histogram.count,
    minMs: ms(histogram.min),
    meanMs: ms(histogram.mean),
    p50Ms: ms(histogram.percentile(50)),
    p90Ms: ms(histogram.percentile(90)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
  };
  histogram.reset();
  process.stderr.write(`${JSON.stringify(report)}\n`);
});
