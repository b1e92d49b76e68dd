import { spawn, type ChildProcess } from "node:child_process";

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves once `text` appears in the output, rejects after `timeoutMs`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL to the process group; a no-op once it has exited. */
  kill(): Promise<void>;
}

/**
 * `npm start` as a child process (through the bundling launcher), in its own process group, with
 * only the given variables (plus PATH and HOME) as a deployment would set them. Resolves once it
 * logged the URL it listens on.
 */
export async function startApiProcess(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, ["scripts/start.mjs", "main"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "info",
      HOST: "127.0.0.1",
      PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the API");
  let output = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
    if (!gone()) await exited;
  };
  const waitForOutput = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const found = () => (typeof text === "string" ? output.includes(text) : text.test(output));
      if (found()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${String(text)} in the API's output within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  const listening = /listening on (http:\/\/\S+) /;
  try {
    await Promise.race([
      waitForOutput(listening, readyTimeoutMs),
      exited.then((code) => Promise.reject(new Error(`the API exited (${code}) before it listened:\n${output}`))),
    ]);
  } catch (error) {
    await kill();
    throw error;
  }
  const url = listening.exec(output)?.[1] ?? "";
  return { child, url, output: () => output, exited, waitForOutput, kill };
}
