/**
 * Prisma passes `contains`/`startsWith`/`endsWith` into LIKE unescaped, so a user's "%" or "_"
 * would be a wildcard ("%" matched every row). Backslash is PostgreSQL's default LIKE escape.
 */
export function escapeLikePattern(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
