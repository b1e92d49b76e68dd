import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { childEnv } from "./ffprobe.prober.js";

export interface FfmpegRunOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Between SIGTERM (lets ffmpeg close its files) and SIGKILL. */
  killGraceMs: number;
  onStdoutLine?: (line: string) => void;
}

export type FfmpegOutcome =
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null; stderrTail: string }
  | { kind: "aborted"; stderrTail: string }
  | { kind: "timeout"; stderrTail: string }
  | { kind: "spawn_failed"; errorCode: string; stderrTail: string };

/** Enough for the last few error lines; ffmpeg's full log of a broken file can run to megabytes. */
const STDERR_TAIL_CHARS = 4096;

/**
 * Runs ffmpeg as a child process (CPU work off the event loop) and settles only once the process
 * has exited and its pipes are closed, so a caller that sees the outcome can rely on the process
 * being gone. Both pipes are always read: a full stderr pipe would stall ffmpeg.
 */
export function runFfmpegProcess(ffmpegPath: string, args: string[], options: FfmpegRunOptions): Promise<FfmpegOutcome> {
  return new Promise((resolve) => {
    let stderrTail = "";
    let stopping: "aborted" | "timeout" | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"], env: childEnv(), windowsHide: true });

    const stop = (why: "aborted" | "timeout") => {
      if (stopping || child.exitCode !== null || child.signalCode !== null) return;
      stopping = why;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), options.killGraceMs);
    };
    const onAbort = () => stop("aborted");
    // setTimeout fires at once for delays past 2^31-1 ms; a long source's generous default can reach that.
    const timeout = setTimeout(() => stop("timeout"), Math.min(options.timeoutMs, 2 ** 31 - 1));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    createInterface({ input: child.stdout }).on("line", (line) => options.onStdoutLine?.(line));
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderrTail = (stderrTail + line + "\n").slice(-STDERR_TAIL_CHARS);
    });

    let spawnError: NodeJS.ErrnoException | undefined;
    child.once("error", (error: NodeJS.ErrnoException) => {
      spawnError = error; // 'close' still follows, so the outcome is decided there, once
    });
    child.once("close", (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      if (spawnError && child.pid === undefined) {
        resolve({ kind: "spawn_failed", errorCode: spawnError.code ?? "UNKNOWN", stderrTail });
      } else if (stopping) {
        resolve(stopping === "aborted" ? { kind: "aborted", stderrTail } : { kind: "timeout", stderrTail });
      } else {
        resolve({ kind: "exited", code, signal, stderrTail });
      }
    });
  });
}
