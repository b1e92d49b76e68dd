import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<void>;
  /** SIGKILL to the whole process group: the worker's node process and any ffmpeg it spawned. */
  killGroup(): Promise<void>;
  /** SIGTERM to the worker, SIGKILL to the group if it has not exited in 20 s. */
  stop(): Promise<void>;
}

/**
 * `npm run worker` as a child process, in its own process group (detached) so a test can kill it
 * as a machine crash would, ffmpeg children included; a plain kill would orphan a running ffmpeg.
 * Only the given variables are passed (plus PATH and HOME), as a deployment would set them.
 */
export async function startWorker(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["scripts/start.mjs", "worker"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the worker");
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = async () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // the group is already gone
    }
    if (!gone()) await exited;
  };
  const worker: WorkerProcess = {
    child,
    pid,
    output: () => output,
    exited,
    killGroup,
    stop: async () => {
      if (gone()) return killGroup(); // tsx may be gone while a grandchild lingers
      child.kill("SIGTERM");
      const timer = setTimeout(() => void killGroup(), 20_000);
      await exited;
      clearTimeout(timer);
      await killGroup();
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes("worker started")) {
    if (gone()) throw new Error(`the worker exited before it started:\n${output}`);
    if (Date.now() > deadline) {
      await killGroup();
      throw new Error(`the worker did not start in ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return worker;
}

/** Pids of live processes whose command line contains `pattern` (pgrep -f), e.g. a job's work dir. */
export function processesMatching(pattern: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile("pgrep", ["-f", pattern], (error, stdout) => {
      // pgrep exits 1 when nothing matches: that is the answer, not a failure.
      if (error && error.code !== 1) reject(error);
      else resolve(stdout.split("\n").filter(Boolean).map(Number));
    });
  });
}
