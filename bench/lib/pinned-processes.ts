/**
 * Processes pinned to cores for the request-path bench: the server under test on one, the load
 * generator (autocannon, bench/lib/load-generator.ts) in a process of its own on another.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./child-api.js";
import type { LoadResult, LoadSpec } from "./load-generator.js";

/** Pins every thread of a running process (threads it starts later inherit it). */
export async function pin(pid: number, core: string): Promise<void> {
  await run("taskset", ["-a", "-cp", core, String(pid)]);
}

/** Runs a command to its end; its stdout, or a rejection carrying its exit code and stderr. */
export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

export async function waitForFile(file: string): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (existsSync(file)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no profile at ${file}`);
}

/** Drives `spec` from a load generator pinned to `core`; its result once it is done. */
export async function load(spec: LoadSpec, core: string): Promise<LoadResult> {
  const file = path.join(tmpdir(), `reelbase-load-${process.pid}.json`);
  await writeFile(file, JSON.stringify(spec));
  try {
    const stdout = await run("taskset", ["-c", core, process.execPath, "--import", "tsx", "bench/lib/load-generator.ts", file]);
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LoadResult;
  } finally {
    await rm(file, { force: true });
  }
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};
