import path from "node:path";
import { REPO_ROOT } from "./child-api.js";
import { run as runCommand } from "./pinned-processes.js";

/** The parts of `autocannon --json` the benches read. */
export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  "2xx": number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { total: number; sent: number };
}

export interface AutocannonRun {
  url: string;
  connections: number;
  seconds: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** CPU list for `taskset -c` (default "1"), so the load generator stays off the server's other core. */
  cpus?: string;
  timeoutSeconds?: number;
}

const BIN = path.join(REPO_ROOT, "node_modules", "autocannon", "autocannon.js");

/** The exact argv, for the record. */
export function autocannonArgs(run: AutocannonRun): string[] {
  return [
    "-c",
    String(run.connections),
    "-d",
    String(run.seconds),
    "-t",
    String(run.timeoutSeconds ?? 30),
    "-m",
    run.method ?? "GET",
    ...Object.entries(run.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}=${value}`]),
    ...(run.body === undefined ? [] : ["-b", run.body]),
    "--json",
    run.url,
  ];
}

/** autocannon in its own process, pinned with taskset; resolves with its JSON summary. */
export async function runAutocannon(run: AutocannonRun): Promise<AutocannonResult> {
  const stdout = await runCommand("taskset", ["-c", run.cpus ?? "1", process.execPath, BIN, ...autocannonArgs(run)]);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{")) throw new Error(`autocannon printed no JSON summary: ${line.slice(-2000)}`);
  return JSON.parse(line) as AutocannonResult;
}
