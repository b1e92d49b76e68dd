import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../support/http-processing.js";
import { prepareProgressFixture, PROGRESS_SCRIPT, type PackedProgressOutput } from "../support/packed-progress.js";

/**
 * What a customer gets: the client is built and packed like a release, installed from the
 * tarball into a project outside the monorepo (so nothing resolves through the workspace),
 * and type-checked there with the library types checked too.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const SLOW = 180_000;

interface RunResult {
  code: number;
  output: string;
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  try {
    const options = { cwd, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 };
    const { stdout, stderr } = await promisify(execFile)(command, args, options);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

async function runOk(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.code}):\n${result.output}`);
  return result.output;
}

const CORRECT_USE = `
import {
  createReelbaseClient, createTokenStore, ErrorCodes, errorCodeOf, isReelbaseError,
  type AppRouter, type ErrorCode, type ReelbaseClient, type RouterInputs, type RouterOutputs,
} from "@reelbase/client";

const tokens = createTokenStore();
const client: ReelbaseClient = createReelbaseClient({ url: "http://127.0.0.1:3000", auth: { type: "bearer", store: tokens } });
const script = createReelbaseClient({ url: "http://127.0.0.1:3000", auth: { type: "apiKey", key: "rb_live_x" } });
const restored = createReelbaseClient({
  url: "http://127.0.0.1:3000",
  auth: { type: "bearer", refreshToken: "r", onTokens: (next) => void next?.refreshToken },
});

export async function signUp(): Promise<string> {
  const session = await client.auth.register.mutate({ email: "a@example.com", password: "correct horse battery" });
  tokens.set(session);
  const email: RouterOutputs["auth"]["me"]["email"] = session.user.email;
  const login: RouterInputs["auth"]["login"] = { email, password: "x" };
  await restored.auth.login.mutate(login);
  try {
    await script.auth.me.query();
  } catch (e) {
    const code: ErrorCode | undefined = errorCodeOf(e);
    if (isReelbaseError(e, ErrorCodes.EMAIL_TAKEN)) return e.data?.correlationId ?? code ?? "";
  }
  const taken: "EMAIL_TAKEN" = ErrorCodes.EMAIL_TAKEN;
  const router: AppRouter | undefined = undefined;
  return String(router) + taken;
}
`;

const WRONG_INPUT = `
import { createReelbaseClient } from "@reelbase/client";

const client = createReelbaseClient({ url: "http://127.0.0.1:3000" });
export const session = client.auth.register.mutate({ email: "a@example.com", password: 123 });
`;

/**
 * A bare project: no @types/node, so the declarations must not lean on the monorepo's setup.
 * ESNext.Disposable because @trpc/server's own declarations name `Disposable` (Node projects
 * usually get it from @types/node instead).
 */
function tsconfig(file: string): string {
  const compilerOptions = {
    strict: true,
    skipLibCheck: false,
    module: "NodeNext",
    moduleResolution: "NodeNext",
    target: "ES2022",
    lib: ["ES2022", "DOM", "ESNext.Disposable"],
    types: [],
    noEmit: true,
  };
  return JSON.stringify({ compilerOptions, files: [file] }, null, 2);
}

describe("the packed client in an outside project", () => {
  const dirs: string[] = [];
  let consumer = "";
  let tarballFiles: string[] = [];

  beforeAll(async () => {
    await runOk("npm", ["run", "build", "-w", "client"], ROOT);
    const packDir = await mkdtemp(path.join(tmpdir(), "reelbase-pack-"));
    dirs.push(packDir);
    // The build ran just above; prepack would only repeat it.
    await runOk("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], path.join(ROOT, "client"));
    const tarball = path.join(packDir, (await readdir(packDir)).find((name) => name.endsWith(".tgz")) ?? "missing.tgz");
    tarballFiles = (await runOk("tar", ["-tzf", tarball], packDir)).split("\n").filter(Boolean);

    consumer = await mkdtemp(path.join(tmpdir(), "reelbase-consumer-"));
    dirs.push(consumer);
    await writeFile(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const install = ["install", "--no-audit", "--no-fund", tarball];
    // @trpc/client, @trpc/server and eventsource are in the npm cache; go online only if they are not.
    if ((await run("npm", [...install, "--offline"], consumer)).code !== 0) await runOk("npm", install, consumer);
    await writeFile(path.join(consumer, "ok.ts"), CORRECT_USE);
    await writeFile(path.join(consumer, "bad.ts"), WRONG_INPUT);
    await writeFile(path.join(consumer, "tsconfig.ok.json"), tsconfig("ok.ts"));
    await writeFile(path.join(consumer, "tsconfig.bad.json"), tsconfig("bad.ts"));
  }, SLOW);

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("is installed outside the workspace", () => {
    expect(path.relative(ROOT, consumer).startsWith("..")).toBe(true);
  });

  it("ships only the bundled ESM file and its bundled declarations", () => {
    expect(tarballFiles).toContain("package/dist/index.js");
    expect(tarballFiles).toContain("package/dist/index.d.ts");
    expect(tarballFiles.filter((file) => file.startsWith("package/dist/")).sort()).toEqual([
      "package/dist/index.d.ts",
      "package/dist/index.js",
    ]);
  });

  it("carries its own README, so a customer with only the tarball can read how to use it", () => {
    expect(tarballFiles).toContain("package/README.md");
  });

  it("depends on no server code, neither in its manifest nor in its files", async () => {
    const installed = path.join(consumer, "node_modules/@reelbase/client");
    const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    const declaredDeps = JSON.stringify([manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies]);
    expect(declaredDeps).not.toContain("@reelbase/server");
    const js = await readFile(path.join(installed, "dist/index.js"), "utf8");
    const dts = await readFile(path.join(installed, "dist/index.d.ts"), "utf8");
    for (const text of [js, dts]) {
      expect(text).not.toContain("@reelbase/server");
      for (const serverOnly of ["inversify", "prisma", "winston", "express", "argon2", "ioredis"])
        expect(text.toLowerCase()).not.toContain(serverOnly);
    }
    // The error codes are data the client needs at runtime: inlined, not imported.
    expect(js).toContain('EMAIL_TAKEN: "EMAIL_TAKEN"');
    await expect(readdir(path.join(consumer, "node_modules/@reelbase"))).resolves.toEqual(["client"]);
  });

  it("loads as ESM with its runtime dependencies", async () => {
    const script = [
      'import { createReelbaseClient, ErrorCodes } from "@reelbase/client";',
      'const client = createReelbaseClient({ url: "http://127.0.0.1:1", auth: { type: "apiKey", key: "k" } });',
      "console.log(ErrorCodes.EMAIL_TAKEN, typeof client.auth.me.query);",
    ].join("\n");
    await writeFile(path.join(consumer, "load.mjs"), script);
    expect((await runOk(process.execPath, ["load.mjs"], consumer)).trim()).toBe("EMAIL_TAKEN function");
  });

  it(
    "type-checks correct calls with skipLibCheck off",
    async () => {
      const result = await run(process.execPath, [TSC, "-p", "tsconfig.ok.json"], consumer);
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
    SLOW,
  );

  it(
    "rejects a wrong input type with TS2322",
    async () => {
      const result = await run(process.execPath, [TSC, "-p", "tsconfig.bad.json"], consumer);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/bad\.ts\(\d+,\d+\): error TS2322/);
      // Only the deliberate mistake: no errors from the installed declarations.
      expect(result.output.match(/error TS\d+/g)).toEqual(["error TS2322"]);
    },
    SLOW,
  );

  it(
    "streams jobs.onProgress from Node with bearer and API-key auth",
    async () => {
      const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-packed-progress-"));
      dirs.push(sandbox);
      const { api, env } = await prepareProgressFixture(sandbox);
      let output: PackedProgressOutput;
      try {
        await writeFile(path.join(consumer, "progress.mjs"), PROGRESS_SCRIPT);
        const printed = await runOk(process.execPath, ["progress.mjs"], consumer, env);
        output = JSON.parse(printed.trim().split("\n").at(-1) ?? "") as PackedProgressOutput;
      } finally {
        await api.close();
      }
      const { job, bearer, apiKey } = output;
      const revisions = (events: ProgressEvent[]) => events.map((event) => Number(event.id));

      // Bearer: the current state first, then newer states in order, ending SUCCEEDED at 100 %.
      expect(bearer.events.length).toBeGreaterThanOrEqual(2);
      expect(["QUEUED", "RUNNING"]).toContain(bearer.events[0]?.data.status);
      for (const event of bearer.events) {
        expect(typeof event.id).toBe("string");
        expect(event.data.jobId).toBe(job.id);
      }
      const ids = revisions(bearer.events);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] ?? Infinity);
      const progress = bearer.events.map((event) => event.data.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(bearer.events.at(-1)?.data).toMatchObject({ status: "SUCCEEDED", progress: 100 });
      expect(bearer.completed).toBe(true);

      // API key on the finished job: its current (terminal) state, then the stream ends.
      expect(apiKey.events).toHaveLength(1);
      expect(apiKey.events[0]?.data).toMatchObject({ jobId: job.id, status: "SUCCEEDED", progress: 100 });
      expect(apiKey.events[0]?.id).toBe(bearer.events.at(-1)?.id);
      expect(apiKey.completed).toBe(true);
    },
    SLOW,
  );
});
