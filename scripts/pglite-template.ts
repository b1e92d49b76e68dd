/**
 * Prepares the initialised PGlite data directory that a first `npm start` copies instead of running
 * initdb (server/src/database/pglite-template.ts). Run by postinstall; safe to run again (a no-op
 * while this PGlite version's template exists). Never fails the install: without a template, the
 * first start simply runs initdb itself and takes a few seconds longer.
 *
 *   npm run db:template
 */
import { buildPgliteTemplate } from "../server/src/database/pglite-template.js";

const started = performance.now();
try {
  const { dir, created } = await buildPgliteTemplate();
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(created ? `PGlite template ready in ${took} s: ${dir}` : `PGlite template present: ${dir}`);
} catch (error) {
  console.warn(`PGlite template not built (a first start will run initdb instead): ${(error as Error).message}`);
}
