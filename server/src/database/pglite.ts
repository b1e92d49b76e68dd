import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

/** A data directory of `memory://` keeps PGlite in memory: tests use it for isolation. */
export const IN_MEMORY_PGLITE = "memory://";

/**
 * Every embedded database, including migration shadows, is created here, so each one has
 * the extensions the migrations use (PGlite loads extensions only when asked to at creation).
 */
export async function createPglite(dataDir: string = IN_MEMORY_PGLITE): Promise<PGlite> {
  const extensions = { pg_trgm };
  if (dataDir === IN_MEMORY_PGLITE) return PGlite.create({ extensions });
  await mkdir(dataDir, { recursive: true });
  return PGlite.create({ dataDir, extensions });
}
