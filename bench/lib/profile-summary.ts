/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went, by package: self time of
 * each sample, with Node's own JavaScript (node:internal/…, undici inside Node) charged to the
 * nearest calling frame that belongs to a package or to Reelbase, since that caller is what
 * decided to spend it. GC and idle stay separate.
 *
 *   npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFile } from "node:fs/promises";
import { table } from "./markdown.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(["(garbage collector)", "(program)", "(idle)", "(root)"]);
const PROFILER = "(profiler)";

/** The package a script belongs to, "reelbase: <folder>" for ours, null for Node's own code. */
export function ownerOf(url: string): string | null {
  if (url === "") return null;
  // The probe that started and stopped the profiler: its own cost is no part of the server's.
  if (url.endsWith("/cpu-profile-probe.ts")) return PROFILER;
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [first = "", second = ""] = url.slice(modules + "/node_modules/".length).split("/");
    return first.startsWith("@") ? `${first}/${second}` : first;
  }
  const ours = /\/(server\/src|bench)\/(.+)$/.exec(url);
  if (ours?.[2]) {
    const parts = ours[2].split("/");
    const folder = parts.length > 1 ? parts.slice(0, parts[0] === "modules" ? 2 : 1).join("/") : parts[0];
    return `reelbase: ${folder}`;
  }
  if (url.startsWith("node:") || !url.includes("/")) return null;
  return url;
}

export async function summarizeProfile(file: string, top = 14): Promise<string> {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const chargedTo = new Map<number, string>();
  const categoryOf = (id: number): string => {
    const known = chargedTo.get(id);
    if (known) return known;
    const node = byId.get(id);
    const name = node?.callFrame.functionName ?? "";
    let category: string;
    if (SPECIAL.has(name) && node?.callFrame.url === "") category = name === "(root)" ? "node core" : name;
    else {
      const owner = ownerOf(node?.callFrame.url ?? "");
      const parent = parentOf.get(id);
      category = owner ?? (parent === undefined ? "node core (no JS caller)" : categoryOf(parent));
    }
    chargedTo.set(id, category);
    return category;
  };

  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const category = categoryOf(id);
    totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const idle = totals.get("(idle)") ?? 0;
  totals.delete("(idle)");
  totals.delete(PROFILER);
  const busy = [...totals.values()].reduce((sum, value) => sum + value, 0);
  const rows = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([category, micros]) => [category, `${((micros / busy) * 100).toFixed(1)} %`]);
  const busyShare = (busy / (busy + idle)) * 100;
  return `CPU busy ${busyShare.toFixed(0)} % of the profiled time; self time by owner (Node's own code charged to its caller):\n\n${table(["owner", "share of busy time"], rows)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
  process.stdout.write(`${await summarizeProfile(file, top ? Number(top) : undefined)}\n`);
}
