// @ts-check
/**
 * The bundle `npm start` and `npm run worker` run: server/src/main.ts and worker.ts compiled by
 * esbuild into a few ES modules (the packages in node_modules stay imports), kept under
 * node_modules/.cache/reelbase/start and rebuilt only when a file that went into it has changed.
 *
 * Why not tsx: its loader thread transforms and resolves each of ~200 source files through
 * module hooks, which cost half a second of a warm start on this 2-core machine, for code that
 * has not changed since the last start (docs/benchmarks.md, start-up; ADR 0016). The bundle uses
 * the same esbuild transform tsx does, so the code that runs is the same.
 *
 * Plain JavaScript on purpose: this file runs before anything that could compile TypeScript.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRIES = { main: "server/src/main.ts", worker: "server/src/worker.ts" };
/** Read by esbuild (decorators, target) but not imported by any source file, so not in its input list. */
const CONFIG_FILES = ["server/tsconfig.json", "tsconfig.base.json", "package.json"];
const STAMP = "stamp.json";
/** A build another process may still import lazily from (adapter chunks load after start-up begins). */
const KEEP_OLD_BUILDS_MS = 10 * 60_000;

/**
 * @typedef {{ dir: string, esbuild: string, inputs: Record<string, [number, number]> }} Stamp
 * `dir` is the build's folder name; `inputs` maps each file, relative to the repo, to [mtimeMs, size].
 */

/**
 * node_modules/.cache/reelbase/start/<checkout>, or a folder in the temp dir when node_modules is
 * read-only. One folder per checkout: inputs are recorded relative to the checkout, so two
 * checkouts sharing one node_modules (a symlink) would otherwise rebuild over each other.
 */
export function defaultCacheDir(root = REPO_ROOT) {
  const checkout = createHash("sha256").update(root).digest("hex").slice(0, 12);
  const preferred = path.join(root, "node_modules", ".cache", "reelbase", "start", checkout);
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = path.join(tmpdir(), `reelbase-start-${process.getuid?.() ?? "user"}`, checkout);
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/** @param {string} file */
function fingerprint(file) {
  const stats = statSync(path.join(REPO_ROOT, file), { throwIfNoEntry: false });
  return stats ? /** @type {[number, number]} */ ([stats.mtimeMs, stats.size]) : undefined;
}

/**
 * The folder of the current build when every input is as it was built from, else undefined.
 * @param {string} cacheDir
 * @param {string} esbuildVersion
 */
export function currentBuild(cacheDir, esbuildVersion) {
  /** @type {Stamp} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(cacheDir, STAMP), "utf8"));
  } catch {
    return undefined;
  }
  if (stamp.esbuild !== esbuildVersion) return undefined;
  const dir = path.join(cacheDir, stamp.dir);
  if (!Object.keys(ENTRIES).every((entry) => existsSync(path.join(dir, `${entry}.mjs`)))) return undefined;
  for (const [file, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    const now = fingerprint(file);
    if (!now || now[0] !== mtimeMs || now[1] !== size) return undefined;
  }
  return dir;
}

let buildsInFlight = 0;

/**
 * Builds both entry points into a new folder, then points the stamp at it with a rename, so a
 * process starting meanwhile sees either the old complete build or the new one.
 * @param {string} cacheDir
 * @returns {Promise<string>} the new build's folder
 */
export async function build(cacheDir) {
  const esbuild = await import("esbuild");
  const name = `build-${Date.now()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const outdir = path.join(cacheDir, name);
  const before = snapshot();
  buildsInFlight++;
  const result = await esbuild
    .build({
      absWorkingDir: REPO_ROOT,
      entryPoints: ENTRIES,
      outdir,
      bundle: true,
      // Lazily imported adapters (Redis, BullMQ, S3, PostgreSQL) stay separate chunks, loaded only when configured.
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      outExtension: { ".js": ".mjs" },
      sourcemap: "linked",
      tsconfig: "server/tsconfig.json",
      metafile: true,
      logLevel: "silent",
    })
    // esbuild's service process would otherwise live as long as the server; it is shared by the
    // builds of this process, so the last one to finish stops it.
    .finally(() => --buildsInFlight === 0 && esbuild.stop());
  /** @type {Stamp["inputs"]} */
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...CONFIG_FILES]) {
    const now = fingerprint(file);
    // A file that changed while esbuild read it: record what it was before, so the next start rebuilds.
    const recorded = before.get(file) ?? now;
    if (recorded) inputs[file] = recorded;
  }
  /** @type {Stamp} */
  const stamp = { dir: name, esbuild: esbuild.version, inputs };
  const temporary = path.join(cacheDir, `${STAMP}.${name}`);
  writeFileSync(temporary, JSON.stringify(stamp));
  renameSync(temporary, path.join(cacheDir, STAMP));
  removeOldBuilds(cacheDir, name);
  return outdir;
}

/** Fingerprints of the config files and everything under server/src, taken before esbuild reads them. */
function snapshot() {
  /** @type {Map<string, [number, number]>} */
  const files = new Map();
  const sources = readdirSync(path.join(REPO_ROOT, "server", "src"), { recursive: true, withFileTypes: true });
  const relative = sources
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)));
  for (const file of [...CONFIG_FILES, ...relative]) {
    const stats = fingerprint(file);
    if (stats) files.set(file, stats);
  }
  return files;
}

/** @param {string} cacheDir @param {string} keep */
function removeOldBuilds(cacheDir, keep) {
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith("build-") || entry.name === keep) continue;
    const folder = path.join(cacheDir, entry.name);
    if (Date.now() - statSync(folder).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The folder holding an up-to-date build, building one first when needed.
 * @param {string} [cacheDir]
 * @returns {Promise<{ dir: string, built: boolean }>}
 */
export async function ensureBuild(cacheDir = defaultCacheDir()) {
  const version = esbuildVersion();
  const dir = currentBuild(cacheDir, version);
  if (dir) return { dir, built: false };
  return { dir: await build(cacheDir), built: true };
}

/** esbuild's version without loading esbuild (which starts its service process). */
function esbuildVersion() {
  const manifest = path.join(REPO_ROOT, "node_modules", "esbuild", "package.json");
  return String(JSON.parse(readFileSync(manifest, "utf8")).version);
}
