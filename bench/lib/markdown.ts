import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/** A GitHub-flavoured markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function codeBlock(text: string, lang = ""): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

/**
 * The command that produced a section: bench/run.ts passes its own through BENCH_COMMAND;
 * a bench run directly names itself.
 */
export function benchCommand(script: string): string {
  const args = process.argv.slice(2).join(" ");
  return process.env.BENCH_COMMAND ?? `npx tsx bench/${script}${args ? ` ${args}` : ""}`;
}

/** Facts that make a number comparable with another run: when, where, under what load. */
export function machineFacts(extra: Record<string, string> = {}): string {
  const [load1 = 0, load5 = 0] = loadavg();
  const facts: Record<string, string> = {
    date: new Date().toISOString(),
    nproc: String(availableParallelism()),
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    "load average (1 / 5 min) at start": `${load1.toFixed(2)} / ${load5.toFixed(2)}`,
    ...extra,
  };
  return Object.entries(facts)
    .map(([key, value]) => `- ${key}: ${value}`)
    .join("\n");
}

/** Progress goes to stderr so stdout carries only the markdown section. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
