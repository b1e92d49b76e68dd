/**
 * The out-of-process load generator: autocannon in a process of its own, so the server under test
 * never shares its event loop (or, pinned with taskset, its core) with the client.
 *
 *   taskset -c 1 node --import tsx bench/lib/load-generator.ts <file holding a LoadSpec as JSON>
 *
 * Cycles through `paths` (one request each, in order, across all connections) and prints one JSON
 * line, a LoadResult, on stdout.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
  /** Stop after this many requests instead of after the duration. */
  amount?: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

// A file, not an argument: a miss round's thousands of paths are past what argv may hold.
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as LoadSpec;
if (spec.paths.length === 0) throw new Error("no paths to request");
let next = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  ...(spec.amount ? { amount: spec.amount } : {}),
  headers: spec.headers ?? {},
  requests: [
    {
      setupRequest: (request) => {
        const path = spec.paths[next++ % spec.paths.length] ?? "/";
        return { ...request, path };
      },
    },
  ],
});
const output: LoadResult = {
  // Completed requests over the whole run; autocannon's per-second average drops the partial last second.
  requestsPerSecond: result.requests.total / (result.duration || spec.durationSeconds),
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
