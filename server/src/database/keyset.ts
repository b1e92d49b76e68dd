import { decodeCursor } from "../shared/application/pagination.js";

/**
 * The where-clause and order of a newest-first keyset page over (createdAt, id).
 * Both columns are indexed together in every paginated table, so a deep page costs what the first does.
 */
export function keysetPage(cursor: string | undefined, limit: number) {
  const after = cursor ? decodeCursor(cursor) : undefined;
  return {
    // The `lte` bound is implied by the OR, but only a plain range lets PostgreSQL start the index
    // scan at the cursor; with the OR alone it scans from the newest row and filters (bench/).
    where: after
      ? {
          createdAt: { lte: after.createdAt },
          OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
        }
      : {},
    orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }],
    take: limit + 1,
  };
}
