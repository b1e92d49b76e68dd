/**
 * The out-of-process load generator for mutations: autocannon in a process of its own (pinned with
 * taskset by the caller), sending `POST <path>` with one body of `bodies` per request, each once,
 * in order across all connections.
 *
 *   taskset -c 1 node --import tsx bench/lib/mutation-load-generator.ts <file holding a MutationLoadSpec>
 *
 * Prints one JSON line, a LoadResult, on stdout. `used` says how many bodies were sent: a run that
 * needed more than it was given reuses them from the start, which the caller must treat as an error.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { LoadResult } from "./load-generator.js";

export interface MutationLoadSpec {
  url: string;
  path: string;
  bodies: string[];
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
}

export interface MutationLoadResult extends LoadResult {
  used: number;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as MutationLoadSpec;
if (spec.bodies.length === 0) throw new Error("no bodies to send");
let next = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  method: "POST",
  headers: { "content-type": "application/json", ...spec.headers },
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        method: "POST",
        path: spec.path,
        body: spec.bodies[next++ % spec.bodies.length] ?? "{}",
      }),
    },
  ],
});
const output: MutationLoadResult = {
  requestsPerSecond: result.requests.total / (result.duration || spec.durationSeconds),
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
  used: next,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
