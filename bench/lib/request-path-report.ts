/** The markdown section of bench/request-path.ts: the table of variants, and the targets met or not. */
import { cpus } from "node:os";
import type { LoadResult } from "./load-generator.js";
import { benchCommand, machineFacts, table } from "./markdown.js";
import { median } from "./pinned-processes.js";

export interface ReportedVariant {
  key: string;
  label: string;
  server: string;
}

export interface ReportSettings {
  serverCore: string;
  loadCore: string;
  connections: number;
  rounds: number;
  durationSeconds: number;
  database: string;
}

export function report(
  variants: ReportedVariant[],
  results: Map<string, LoadResult[]>,
  transactions: Map<string, number>,
  settings: ReportSettings,
): string {
  const { serverCore, loadCore, connections, rounds, durationSeconds, database } = settings;
  const rps = (key: string) => (results.get(key) ?? []).map((measured) => measured.requestsPerSecond);
  const raw = rps("raw");
  const ratioPerRound = (a: string, b: string) => rps(a).map((value, round) => value / (rps(b)[round] ?? NaN));
  const rows = variants.map((variant) => {
    const measured = results.get(variant.key) ?? [];
    const values = rps(variant.key);
    const p99 = median(measured.map((m) => m.latencyP99Ms));
    const counted = transactions.get(variant.key);
    // A baseline does one query per request by construction (none for the constant answer).
    const db =
      counted !== undefined
        ? counted.toFixed(2)
        : variant.server === "raw"
          ? "0"
          : variant.server.startsWith("reelbase")
            ? "?"
            : "1";
    return [
      variant.label,
      Math.round(median(values)).toLocaleString("en-US"),
      `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`,
      String(p99),
      median(values.map((value, round) => value / (raw[round] ?? NaN))).toFixed(3),
      db,
    ];
  });
  const targets: [string, string, string, number][] = [
    ["P1a", "`videos.get` hit ÷ bare tRPC", "hit/trpc", 1.5],
    ["P1a", "`videos.get` hit ÷ express + Prisma", "hit/express", 0.8],
    ["P1b", "`videos.get` miss ÷ bare tRPC", "miss/trpc", 1.0],
    ["P1c", "`auth.me` ÷ bare tRPC", "me/trpc", 1.5],
    ["P1d", "`/health/live` ÷ raw `node:http`", "live/raw", 0.5],
    ["P2", "`videos.get` hit: rate limits and metrics on ÷ off", "hit/hit-off", 0.9],
    ["P2", "`videos.get` miss: on ÷ off", "miss/miss-off", 0.9],
    ["P2", "`auth.me`: on ÷ off", "me/me-off", 0.9],
    ["P2", "`/health/live`: on ÷ off", "live/live-off", 0.9],
  ];
  const targetRows = targets.map(([id, label, pair, target]) => {
    const [a = "", b = ""] = pair.split("/");
    const value = median(ratioPerRound(a, b));
    return [id, label, value.toFixed(2), `≥ ${target}`, value >= target ? "yes" : "**no**"];
  });
  // No target: what Reelbase's tRPC handler alone changes, on the same bare router.
  targetRows.push([
    "—",
    "bare router: Reelbase's tRPC handler ÷ tRPC's express adapter",
    median(ratioPerRound("trpc-ours", "trpc")).toFixed(2),
    "—",
    "—",
  ]);
  return [
    "## Request path: Reelbase vs hand-written baselines",
    "",
    `Command: \`${benchCommand("request-path.ts")}\``,
    "",
    machineFacts({
      // This process is pinned to one core by now; the machine has more.
      nproc: String(cpus().length),
      database: database,
      setup: `each server its own process pinned to core ${serverCore}; autocannon in its own process pinned to core ${loadCore}; ${connections} connections; ${rounds} interleaved rounds of ${durationSeconds} s after a 2 s warm-up round`,
      reelbase:
        "NODE_ENV=production, PostgreSQL, Redis cache and event bus, LOG_LEVEL=info (access lines drained from a pipe); rate limits (on Redis, budgets no round spends) and metrics on, and a second API process with both off (`RATE_LIMITS=off METRICS=off`) in the same rounds",
    }),
    "",
    table(["variant", "req/s (median)", "min–max", "p99 ms", "÷ raw", "DB transactions / request"], rows),
    "",
    "Targets (ratio of the two variants within each round, median over rounds):",
    "",
    table(["target", "ratio", "measured", "needed", "met"], targetRows),
  ].join("\n");
}
