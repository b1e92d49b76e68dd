import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "./child-api.js";

export interface ListeningChild {
  url: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM, then resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript server script in its own process (a baseline the bench starts itself) and
 * resolves once it prints `listening on http://…`; rejects if it exits or stays silent first.
 */
export async function startListeningChild(
  script: string,
  args: string[],
  label: string,
  timeoutMs = 30_000,
): Promise<ListeningChild> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${label} did not start in ${timeoutMs} ms: ${output}`)), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited ${code}: ${output}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
