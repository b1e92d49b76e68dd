/**
 * What the console costs `npm install` on a fresh clone (the issue: including the console build,
 * within 1.5× of the install before the console existed):
 *
 *   npm run bench -- install-time [--rounds N] [--baseline REV]
 *
 * Every round clones the repository's HEAD (committed work only) into a temp folder and times
 * `npm install --no-audit --no-fund --prefer-offline` there, postinstall included, with npm's cache
 * warmed by one unmeasured install first, so the registry's latency is not what is measured. Two
 * baselines, interleaved with HEAD in every round:
 *
 * - "HEAD, no console build": the same clone with `npm run console:build` taken out of the root
 *   postinstall (in the clone's package.json only). The same dependencies are installed, so the
 *   difference is the build step itself.
 * - "before the console" (REV, by default the parent of the commit that added console/package.json):
 *   the install as it was when the issue measured it, without the console workspace's
 *   dependencies (Vite, React, hls.js) either. The 1.5× is against this one.
 *
 * Finally `node scripts/console-build.mjs --force` alone, in the last HEAD clone.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./lib/child-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { median } from "./lib/pinned-processes.js";

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const ROUNDS = Number(flag("rounds") ?? 3);
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const TARGET_RATIO = 1.5;
const INSTALL = ["install", "--no-audit", "--no-fund", "--prefer-offline"];

const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();

function defaultBaseline(): string {
  const added = git("log", "--diff-filter=A", "--format=%H", "--", "console/package.json").split("\n").at(-1);
  if (!added) throw new Error("no commit added console/package.json; pass --baseline REV");
  return git("rev-parse", `${added}^`);
}

/** npm run bench's own npm_* variables would steer the inner npm (its config, its lifecycle). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
}

/** Runs a command to its end; resolves with the wall time in ms, rejects with its output on failure. */
function timedRun(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${command} ${args.join(" ")} in ${cwd} ended with ${code ?? signal}:\n${output}`));
    });
  });
}

interface Variant {
  key: "head" | "no-build" | "before";
  label: string;
  rev: string;
  prepare?: (clone: string) => Promise<void>;
}

async function withoutConsoleBuild(clone: string): Promise<void> {
  const file = path.join(clone, "package.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as { scripts: Record<string, string> };
  const postinstall = manifest.scripts.postinstall ?? "";
  const trimmed = postinstall.replace(/\s*&&\s*npm run console:build/, "");
  if (trimmed === postinstall) throw new Error(`the postinstall has no "&& npm run console:build" to take out: ${postinstall}`);
  manifest.scripts.postinstall = trimmed;
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

async function freshClone(parent: string, variant: Variant): Promise<string> {
  const clone = path.join(parent, variant.key);
  await rm(clone, { recursive: true, force: true });
  execFileSync("git", ["clone", "--quiet", REPO_ROOT, clone]);
  execFileSync("git", ["checkout", "--quiet", "--detach", variant.rev], { cwd: clone });
  await variant.prepare?.(clone);
  return clone;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  // machineFacts reads the load when it is called, at the end; the load the run started under is this.
  const loadAtStart = loadavg();
  const head = git("rev-parse", "HEAD");
  const before = flag("baseline") ?? defaultBaseline();
  const variants: Variant[] = [
    { key: "head", label: `HEAD (${head.slice(0, 7)}), console build included`, rev: head },
    {
      key: "no-build",
      label: `HEAD (${head.slice(0, 7)}), console build taken out of postinstall`,
      rev: head,
      prepare: withoutConsoleBuild,
    },
    { key: "before", label: `before the console (${before.slice(0, 7)})`, rev: git("rev-parse", before) },
  ];
  const parent = await mkdtemp(path.join(tmpdir(), "reelbase-bench-install-"));
  try {
    progress("warming npm's cache: one unmeasured install of HEAD and of the baseline commit");
    for (const variant of [variants[0], variants[2]]) {
      if (variant) await timedRun("npm", INSTALL, await freshClone(parent, variant));
    }
    const times = new Map<Variant["key"], number[]>(variants.map((variant) => [variant.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated, so no variant always runs right after another's disk writes.
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(round + i) % variants.length];
        if (!variant) continue;
        const clone = await freshClone(parent, variant);
        const ms = await timedRun("npm", INSTALL, clone);
        times.get(variant.key)?.push(ms);
        progress(`round ${round + 1}/${ROUNDS} ${variant.key}: ${seconds(ms)} s`);
      }
    }
    progress("console build alone (--force), 3 times in the last HEAD clone");
    const headClone = await freshClone(parent, variants[0] as Variant);
    await timedRun("npm", INSTALL, headClone);
    const builds: number[] = [];
    for (let i = 0; i < 3; i++)
      builds.push(await timedRun(process.execPath, ["scripts/console-build.mjs", "--force"], headClone));

    const of = (key: Variant["key"]) => times.get(key) ?? [];
    const ratio = (a: Variant["key"], b: Variant["key"]) => median(of(a).map((value, round) => value / (of(b)[round] ?? NaN)));
    const rows = variants.map((variant) => {
      const values = of(variant.key);
      return [variant.label, seconds(median(values)), `${seconds(Math.min(...values))}–${seconds(Math.max(...values))}`];
    });
    const vsBefore = ratio("head", "before");
    process.stdout.write(
      [
        "## Install time: `npm install` on a fresh clone, with and without the console build",
        "",
        `Command: \`${benchCommand("install-time.ts")}\``,
        "",
        machineFacts({
          "load average (1 / 5 min) at start": `${loadAtStart[0]?.toFixed(2)} / ${loadAtStart[1]?.toFixed(2)}`,
          "load average (1 / 5 min) at the end": `${loadavg()[0]?.toFixed(2)} / ${loadavg()[1]?.toFixed(2)}`,
          npm: execFileSync("npm", ["--version"], { encoding: "utf8", env: cleanEnv() }).trim(),
          setup: `\`git clone\` of this repository, then \`npm ${INSTALL.join(" ")}\` (postinstall included) with npm's cache warm; ${ROUNDS} rounds, variants rotated within each round, medians; ratios taken within a round`,
        }),
        "",
        table(["variant", "npm install s (median)", "min–max s"], rows),
        "",
        table(
          ["ratio (within each round, median)", "measured", "needed", "met"],
          [
            ["HEAD ÷ before the console", vsBefore.toFixed(2), `≤ ${TARGET_RATIO}`, vsBefore <= TARGET_RATIO ? "yes" : "**no**"],
            ["HEAD ÷ HEAD without the console build (the build step alone)", ratio("head", "no-build").toFixed(2), "—", "—"],
          ],
        ),
        "",
        `\`node scripts/console-build.mjs --force\` alone: ${builds.map(seconds).join(" s, ")} s (median ${seconds(median(builds))} s).`,
      ].join("\n") + "\n",
    );
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

await main();
