// @ts-check
/**
 * Builds the web console (console/ → console/dist, served by the API at /) unless the build there
 * was made from the same sources. `npm install` runs it (postinstall) and `npm start` checks it, so
 * the two-command quick start serves the console and an edit to its sources shows on the next start.
 *
 *   node scripts/console-build.mjs [--force]
 *
 * Plain JavaScript on purpose, like start-bundle.mjs: it runs before anything compiles TypeScript.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONSOLE = path.join(REPO_ROOT, "console");
const OUT_DIR = path.join(CONSOLE, "dist");
const STAMP = path.join(OUT_DIR, "build-stamp.json");
/** What goes into the bundle: the console, the client it imports from source, the server's error codes. */
const INPUTS = ["console/src", "console/index.html", "console/vite.config.ts", "console/package.json", "client/src"];
const SINGLE_FILES = ["server/src/shared/domain/error-codes.ts", "package-lock.json"];

/**
 * A digest of every input's path, size and modification time (content is not read: this runs on every start).
 * @param {string} [root] the checkout
 */
export function inputsDigest(root = REPO_ROOT) {
  const hash = createHash("sha256");
  const files = [...SINGLE_FILES];
  for (const input of INPUTS) {
    const absolute = path.join(root, input);
    if (!existsSync(absolute)) continue;
    if (statSync(absolute).isFile()) {
      files.push(input);
      continue;
    }
    for (const entry of readdirSync(absolute, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(path.relative(root, path.join(entry.parentPath, entry.name)));
    }
  }
  for (const file of files.sort()) {
    const stats = statSync(path.join(root, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${stats?.size ?? -1}\0${stats?.mtimeMs ?? -1}\n`);
  }
  return hash.digest("hex");
}

/** @param {string} digest */
function isCurrent(digest) {
  try {
    return existsSync(path.join(OUT_DIR, "index.html")) && JSON.parse(readFileSync(STAMP, "utf8")).digest === digest;
  } catch {
    return false;
  }
}

/**
 * Builds when the sources changed since the last build. Returns whether it built.
 * @param {{ force?: boolean, quiet?: boolean }} [options]
 */
export async function ensureConsoleBuild(options = {}) {
  const digest = inputsDigest();
  if (!options.force && isCurrent(digest)) return false;
  const vite = await import("vite");
  // Built next to console/dist and swapped in whole: a server reading the old build, or a second
  // `npm start` building at the same moment, never sees a half-written or emptied folder.
  const staging = `${OUT_DIR}.build-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await vite.build({
      configFile: path.join(CONSOLE, "vite.config.ts"),
      logLevel: options.quiet ? "warn" : "info",
      build: { outDir: staging, emptyOutDir: true },
    });
    precompressAssets(path.join(staging, "assets"));
    writeFileSync(path.join(staging, path.basename(STAMP)), JSON.stringify({ digest, builtAt: new Date().toISOString() }));
    swapIn(staging);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return true;
}

/**
 * Two renames: a folder cannot be renamed over a non-empty one. Between them console/dist is
 * briefly absent (a request then gets a 404, never a mix of two builds).
 * @param {string} staging
 */
function swapIn(staging) {
  const retired = `${OUT_DIR}.old-${process.pid}-${randomBytes(4).toString("hex")}`;
  // A second build swapping in between our two renames leaves a console/dist again: retire that too.
  for (let attempt = 1; ; attempt++) {
    try {
      renameSync(OUT_DIR, `${retired}-${attempt}`);
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "ENOENT") throw error;
    }
    try {
      renameSync(staging, OUT_DIR);
      break;
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (attempt >= 5 || (code !== "ENOTEMPTY" && code !== "EEXIST")) throw error;
    }
  }
  for (const entry of readdirSync(CONSOLE)) {
    if (entry.startsWith(path.basename(retired))) rmSync(path.join(CONSOLE, entry), { recursive: true, force: true });
  }
}

/**
 * Brotli and gzip copies next to each script and style sheet, compressed once at the highest levels
 * here rather than on every request: the API serves them by the browser's Accept-Encoding.
 * @param {string} dir
 */
function precompressAssets(dir) {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const file = path.join(dir, name);
    const body = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = Date.now();
  const built = await ensureConsoleBuild({ force: process.argv.includes("--force"), quiet: true });
  console.log(built ? `console built into console/dist in ${Date.now() - started} ms` : "console build is current");
}
