import { spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuild } from "../../scripts/start-bundle.mjs";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ChildApi {
  child: ChildProcess;
  pid: number;
  url: string;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

export interface ChildApiOptions {
  /**
   * `"sources"` (the default): `node --import tsx server/src/main.ts`. `"bundle"`: the esbuild
   * bundle `npm start` runs (scripts/start-bundle.mjs `ensureBuild()`, rebuilt first if a source
   * changed), as `node --enable-source-maps <build>/main.mjs`. A bench that measures memory per
   * object wants the bundle: tsx's transform keeps function names (`keepNames`), which adds a
   * property dictionary to every closure and about 3 KiB per open SSE stream that the shipped server
   * does not have. With the bundle a preloaded probe (`--import`) must be plain JavaScript: no tsx
   * loader is registered.
   */
  from?: "sources" | "bundle";
}

/**
 * The API as a child process, by default from its sources: `node --import tsx server/src/main.ts`.
 * `npm start` runs the same code from an esbuild bundle (scripts/start.mjs); most benches keep the
 * sources so that CPU profiles name our files and folders (bench/lib/profile-summary.ts), and so
 * that a preloaded probe may be TypeScript; `options.from` picks the bundle instead. The tsx CLI
 * (or npm) would put a second node process between us and the server; with the loader in-process,
 * or the bundle as node's main module, the pid we sample is the server itself. Only the variables given are passed (plus PATH and HOME).
 */
export async function startChildApi(
  env: Record<string, string>,
  startTimeoutMs = 120_000,
  nodeArgs: readonly string[] = [],
  options: ChildApiOptions = {},
): Promise<ChildApi> {
  // The bundle without scripts/start.mjs around it: start.mjs also rebuilds the console when its
  // sources changed, a vite build that empties console/dist and, with other engineers' edits and
  // builds in the same checkout, failed the API's start (ENOENT on a .br it was writing). The
  // console is static files the API serves, no code in its process. `--enable-source-maps` is what
  // start.mjs's process.setSourceMapsEnabled(true) turns on before it imports main.mjs.
  const args =
    options.from === "bundle"
      ? ["--enable-source-maps", ...nodeArgs, path.join((await ensureBuild()).dir, "main.mjs")]
      : // After tsx, so a preloaded probe may be TypeScript too.
        ["--import", "tsx", ...nodeArgs, "server/src/main.ts"];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the API");
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`API did not start in ${startTimeoutMs} ms:\n${output}`)), startTimeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          // From here on the output (access lines under load) is drained, not kept: keeping and
          // re-scanning it would cost this process more the longer a bench runs.
          child.stdout?.off("data", onData);
          child.stderr?.off("data", onData);
          if (process.env.BENCH_API_ECHO) child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
          child.stdout?.resume();
          child.stderr?.resume();
          resolve(match[1]);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`API exited with ${code} before listening:\n${output}`));
      });
    });
    return { child, pid, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ProcMemory {
  rssBytes: number;
  hwmBytes: number;
  anonBytes: number;
}

/** VmRSS, VmHWM (peak RSS since start or the last reset) and RssAnon of a process, from /proc/<pid>/status. */
export async function readProcMemory(pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match?.[1]) throw new Error(`${field} missing from /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib("VmRSS"), hwmBytes: kib("VmHWM"), anonBytes: kib("RssAnon") };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, `echo 5 > clear_refs`); false when not permitted. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped. */
export class RssSampler {
  readonly samples: { at: number; rssBytes: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      readProcMemory(this.pid)
        .then(({ rssBytes }) => this.samples.push({ at: performance.now(), rssBytes }))
        .catch(() => undefined); // the process may be gone; the missing sample is the evidence
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  between(from: number, to: number): number[] {
    return this.samples.filter((sample) => sample.at >= from && sample.at <= to).map((sample) => sample.rssBytes);
  }
}
