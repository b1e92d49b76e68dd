// @ts-check
/**
 * `npm start` (main) and `npm run worker` (worker): run the server from an esbuild bundle of its
 * TypeScript sources, rebuilt first when a source has changed (see start-bundle.mjs).
 *
 *   node scripts/start.mjs [main|worker]
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ensureConsoleBuild } from "./console-build.mjs";
import { ENTRIES, ensureBuild } from "./start-bundle.mjs";

const entry = process.argv[2] ?? "main";
if (!Object.hasOwn(ENTRIES, entry)) {
  console.error(`usage: node scripts/start.mjs [${Object.keys(ENTRIES).join("|")}]`);
  process.exit(2);
}
// Stack traces in logs point at the TypeScript sources, as they did under tsx.
process.setSourceMapsEnabled(true);
// The API serves the console; a worker does not need it.
if (entry === "main") await ensureConsoleBuild({ quiet: true });
const { dir } = await ensureBuild();
await import(pathToFileURL(path.join(dir, `${entry}.mjs`)).href);
