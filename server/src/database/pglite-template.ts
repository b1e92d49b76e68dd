import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * A freshly initialised PGlite data directory, kept where `npm install` (postinstall,
 * `npm run db:template`) leaves it: `node_modules/.cache/reelbase/pglite-<version>`, beside the
 * PGlite package that made it, so a PGlite upgrade makes a new one.
 *
 * Why: PGlite's first open of an empty directory runs initdb (bootstrap catalogs, template
 * databases), 5-9 s of CPU, the bulk of a first `npm start`. A copy of the same result is a
 * fraction of a second. Nothing of this application is in it (no schema, no data): migrations
 * still run at start-up as on any new database. Without the template, PGlite runs initdb as before.
 */
export function pgliteTemplateDir(): string {
  const require = createRequire(import.meta.url);
  // The package exports no ./package.json: walk up from its entry point to the folder that holds it.
  let dir = path.dirname(require.resolve("@electric-sql/pglite"));
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  const nodeModules = path.resolve(dir, "..", "..");
  return path.join(nodeModules, ".cache", "reelbase", `pglite-${version}`);
}

const isDatabase = (dir: string) => existsSync(path.join(dir, "PG_VERSION"));
const staging = (dir: string) => `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

export function pgliteTemplateAvailable(): boolean {
  return isDatabase(pgliteTemplateDir());
}

/**
 * Fills an empty data directory with a copy of the template. The copy is made beside it and
 * renamed over it, so an interrupted start leaves either the empty folder or a whole database,
 * never half of one. Does nothing (PGlite then runs initdb itself) when the folder already has
 * anything in it, when there is no template, or when copying fails.
 */
export async function seedFromTemplate(dataDir: string, template: string = pgliteTemplateDir()): Promise<boolean> {
  if (isDatabase(dataDir)) return false;
  if (!isDatabase(template)) return false;
  if ((await readdir(dataDir).catch(() => [])).length > 0) return false;
  const copy = staging(dataDir);
  try {
    await copyTree(template, copy);
    await rename(copy, dataDir); // replaces the empty folder (POSIX rename of a directory)
    return true;
  } catch {
    return false;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/**
 * A copy of a directory tree of plain files (what a data directory is), many files at a time:
 * ~1000 files, 39 MB, in ~0.2 s where fs.cp, one file after the other, took 0.5-1 s.
 */
async function copyTree(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { recursive: true, withFileTypes: true });
  const target = (entry: { parentPath: string; name: string }) =>
    path.join(to, path.relative(from, path.join(entry.parentPath, entry.name)));
  await mkdir(to, { recursive: true });
  for (const entry of entries) if (entry.isDirectory()) await mkdir(target(entry), { recursive: true });
  const other = entries.find((entry) => !entry.isFile() && !entry.isDirectory());
  if (other) throw new Error(`not a plain file: ${path.join(other.parentPath, other.name)}`);
  const files = entries.filter((entry) => entry.isFile());
  let next = 0;
  const worker = async () => {
    for (let entry = files[next++]; entry; entry = files[next++])
      await copyFile(path.join(entry.parentPath, entry.name), target(entry));
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** Builds the template unless this PGlite version has one; removes those of other versions. */
export async function buildPgliteTemplate(dir: string = pgliteTemplateDir()): Promise<{ dir: string; created: boolean }> {
  if (isDatabase(dir)) return { dir, created: false };
  const cache = path.dirname(dir);
  await mkdir(cache, { recursive: true });
  const build = staging(dir);
  try {
    const db = await PGlite.create({ dataDir: build });
    await db.close();
    await rename(build, dir).catch((error: NodeJS.ErrnoException) => {
      // Another install built it at the same time: theirs is as good as ours.
      if (!isDatabase(dir)) throw error;
    });
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  // Other versions' templates (and their leftovers); never this version's staging folders.
  const stale = (await readdir(cache)).filter((name) => name.startsWith("pglite-") && !name.startsWith(path.basename(dir)));
  await Promise.all(stale.map((name) => rm(path.join(cache, name), { recursive: true, force: true })));
  return { dir, created: true };
}
