/**
 * A unique-constraint violation, from the query builder (P2002) or from a raw query, whose driver
 * error keeps PostgreSQL's SQLSTATE 23505 somewhere in the error's fields or message.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = "code" in error ? (error as { code: unknown }).code : undefined;
  if (code === "P2002" || code === "23505") return true;
  return error instanceof Error && /23505|unique constraint/i.test(error.message);
}
