import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/** A child process bundles the sources (first time), boots PGlite and argon2: tens of seconds on a busy 2-core machine. */
const PROCESS_TIMEOUT_MS = 120_000;

/** The process as `npm start` (main) and `npm run worker` (worker) run it: through the bundling launcher. */
function run(
  entry: "main" | "worker",
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["scripts/start.mjs", entry], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the worker process", () => {
  it("refuses the embedded PGlite database and says what to set instead", async () => {
    const proc = run("worker", { PGLITE_DATA_DIR: "memory://" });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain("set DATABASE_URL");
    expect(proc.output()).toContain("REDIS_URL");
  });
});

describe("the API process", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("refuses to start on bad configuration, naming every bad variable but no value", async () => {
    const proc = run("main", {
      NODE_ENV: "production",
      PORT: "not-a-port",
      DATABASE_URL: "mysql://user:hunter2@db/app",
      JWT_SECRET: "short-secret-value",
    });
    expect(await proc.exited).toBe(1);
    const output = proc.output();
    expect(output).toContain("Invalid configuration");
    for (const name of ["PORT", "DATABASE_URL", "JWT_SECRET"]) expect(output).toContain(name);
    expect(output).not.toContain("hunter2");
    expect(output).not.toContain("short-secret-value");
  });

  it(
    "starts on the embedded defaults, serves, and shuts down cleanly on SIGTERM",
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "reelbase-process-"));
      dirs.push(dataDir);
      const proc = run("main", {
        PORT: "0",
        PGLITE_DATA_DIR: dataDir,
        ARGON2_MEMORY_KIB: "1024",
        ARGON2_TIME_COST: "1",
      });
      await waitFor(() => /listening on (http:\/\/\S+) /.test(proc.output()), 60_000);
      const url = /listening on (http:\/\/\S+) /.exec(proc.output())?.[1];
      expect(proc.output()).toContain(`database: PGlite (${dataDir})`);
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      const output = proc.output();
      // Reverse start order: the HTTP server closes before the database it uses.
      expect(output.indexOf("closed http server")).toBeGreaterThan(-1);
      expect(output.indexOf("closed http server")).toBeLessThan(output.indexOf("closed database"));
      expect(output).toContain("api stopped");
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    "creates the first administrator from configuration, once",
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "reelbase-admin-"));
      dirs.push(dataDir);
      const env = {
        PORT: "0",
        PGLITE_DATA_DIR: dataDir,
        BOOTSTRAP_ADMIN_EMAIL: "Root@Example.com",
        BOOTSTRAP_ADMIN_PASSWORD: "a long admin password",
        ARGON2_MEMORY_KIB: "1024",
        ARGON2_TIME_COST: "1",
      };
      for (const expected of ["created administrator root@example.com", "administrator root@example.com present"]) {
        const proc = run("main", env);
        await waitFor(() => proc.output().includes("listening on"), 60_000);
        expect(proc.output()).toContain(expected);
        const url = /listening on (http:\/\/\S+) /.exec(proc.output())?.[1];
        const login = await fetch(`${url}/trpc/auth.login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "root@example.com", password: "a long admin password" }),
        });
        expect(((await login.json()) as { result: { data: { user: { role: string } } } }).result.data.user.role).toBe("ADMIN");
        proc.child.kill("SIGTERM");
        expect(await proc.exited).toBe(0);
      }
    },
    PROCESS_TIMEOUT_MS,
  );
});
