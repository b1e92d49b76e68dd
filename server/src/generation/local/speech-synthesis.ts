import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { childEnv } from "../../media/ffprobe.prober.js";

export const SYNTH_SCRIPT_NAME = "espeak-synth.mjs";
const SCRIPT_IN_SERVER = path.join("src", "generation", "local", SYNTH_SCRIPT_NAME);

/**
 * The child script's path. It sits next to this file in the sources; the compiled build
 * (server/dist/…) and `npm start`'s bundle (node_modules/.cache/…) are elsewhere, so from there
 * the folders above are searched for the server's sources: server/src/… or src/… under an ancestor.
 */
export function locateSynthScript(from: string = fileURLToPath(import.meta.url)): string {
  const tried: string[] = [];
  const beside = path.join(path.dirname(from), SYNTH_SCRIPT_NAME);
  tried.push(beside);
  if (existsSync(beside)) return beside;
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, SCRIPT_IN_SERVER), path.join(dir, "server", SCRIPT_IN_SERVER)]) {
      tried.push(candidate);
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`the speech child script ${SYNTH_SCRIPT_NAME} was not found; looked at ${tried.join(", ")}`);
}

export interface SpeechJob {
  text: string;
  /** Where the segment's WAV is written. */
  outputFile: string;
}

export interface SynthesisOptions {
  voice: string;
  /** Child processes working at once; each takes the next segment when it finishes one. */
  concurrency: number;
  signal: AbortSignal;
  timeoutMs: number;
  scriptPath: string;
  /** Called once per finished segment, in completion order. */
  onSegmentDone?: (index: number) => void;
}

/** Why synthesis did not finish; the provider turns it into a DomainError. */
export class SynthesisFailure extends Error {
  constructor(
    readonly reason: "aborted" | "timeout" | "spawn_failed" | "child_failed" | "rejected",
    message: string,
    /** espeak-ng refused the input for a reason retrying cannot change (an unknown voice). */
    readonly permanent = false,
  ) {
    super(message);
  }
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

interface ChildReply {
  id: number;
  ok: boolean;
  error?: string;
  permanent?: boolean;
}

const STDERR_TAIL_CHARS = 2048;

/**
 * Speaks every job into its WAV file with a small pool of espeak-ng child processes. Settles only
 * once every child has exited, so a caller that sees the outcome can rely on no process being
 * left; on abort, timeout or any failure the children are killed (they hold nothing worth saving).
 */
export function synthesizeSpeech(jobs: readonly SpeechJob[], options: SynthesisOptions): Promise<void> {
  if (jobs.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const children: Child[] = [];
    const inHand = new Map<Child, number>();
    let next = 0;
    let done = 0;
    let running = 0;
    let failure: SynthesisFailure | undefined;

    const fail = (error: SynthesisFailure) => {
      failure ??= error;
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const onAbort = () => fail(new SynthesisFailure("aborted", "speech synthesis was cancelled"));
    const timer = setTimeout(
      () => fail(new SynthesisFailure("timeout", `speech synthesis did not finish within ${options.timeoutMs} ms`)),
      Math.min(options.timeoutMs, 2 ** 31 - 1),
    );
    const settle = () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      if (failure) reject(failure);
      else if (done < jobs.length) reject(new SynthesisFailure("child_failed", "a speech process ended with segments left"));
      else resolve();
    };

    const feed = (child: Child) => {
      if (failure || next >= jobs.length) {
        inHand.delete(child);
        child.stdin.end();
        return;
      }
      const id = next++;
      const job = jobs[id];
      if (!job) return;
      inHand.set(child, id);
      child.stdin.write(`${JSON.stringify({ id, text: job.text, voice: options.voice, out: job.outputFile })}\n`);
    };

    const count = Math.max(1, Math.min(Math.floor(options.concurrency), jobs.length));
    for (let slot = 0; slot < count; slot++) {
      let child: Child;
      try {
        child = spawn(process.execPath, [options.scriptPath], {
          stdio: ["pipe", "pipe", "pipe"],
          env: childEnv(),
          windowsHide: true,
        });
      } catch (error) {
        fail(new SynthesisFailure("spawn_failed", `the speech process could not be started: ${String(error)}`));
        break;
      }
      children.push(child);
      running++;
      let stderrTail = "";
      let spawnError: NodeJS.ErrnoException | undefined;
      child.stdin.on("error", () => {}); // EPIPE after the child died: its exit says what happened
      child.stderr.on("data", (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
      });
      createInterface({ input: child.stdout }).on("line", (line) => {
        let reply: ChildReply;
        try {
          reply = JSON.parse(line) as ChildReply;
        } catch {
          return; // not ours (a library's stray print)
        }
        if (reply.id !== inHand.get(child)) return;
        if (!reply.ok) {
          const message = `espeak-ng failed on segment ${reply.id}: ${reply.error ?? "unknown error"}`;
          fail(new SynthesisFailure("rejected", message, reply.permanent === true));
          return;
        }
        done++;
        options.onSegmentDone?.(reply.id);
        feed(child);
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        spawnError = error;
      });
      child.once("close", (code, signal) => {
        if (spawnError && child.pid === undefined) {
          fail(new SynthesisFailure("spawn_failed", `the speech process could not be started (${spawnError.code ?? "?"})`));
        } else if (inHand.has(child) || code !== 0) {
          const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const tail = stderrTail.trim().split("\n").slice(-3).join(" | ");
          fail(new SynthesisFailure("child_failed", `the speech process ${why}${tail ? `: ${tail}` : ""}`));
        }
        if (--running === 0) settle();
      });
      feed(child);
    }
    options.signal.addEventListener("abort", onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    if (running === 0) settle();
  });
}
