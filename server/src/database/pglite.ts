import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { seedFromTemplate } from "./pglite-template.js";

/** A data directory of `memory://` keeps PGlite in memory: tests use it for isolation. */
export const IN_MEMORY_PGLITE = "memory://";

/**
 * PGlite's own start parameters plus one setting. initdb writes `shared_buffers = 128MB`, and
 * PGlite's single-user Postgres zeroes all of its shared memory (145 MB with that setting) when it
 * starts: that memset was the largest single cost of opening a warm data directory, and those
 * pages stay resident. 32MB (4096 pages, 42 MB of shared memory in all) is plenty for one
 * connection; what does not fit is read back from the OS page cache (docs/benchmarks.md, start-up).
 */
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

/**
 * Every embedded database, including migration shadows, is created here, so each one has
 * the extensions the migrations use (PGlite loads extensions only when asked to at creation).
 * A data directory that does not hold a database yet is first seeded from the template
 * `npm install` prepares (see pglite-template.ts), when there is one.
 */
export async function createPglite(dataDir: string = IN_MEMORY_PGLITE): Promise<PGlite> {
  const options = { extensions: { pg_trgm }, startParams: START_PARAMS };
  if (dataDir === IN_MEMORY_PGLITE) return PGlite.create(options);
  await mkdir(dataDir, { recursive: true });
  await seedFromTemplate(dataDir);
  return PGlite.create({ dataDir, ...options });
}
