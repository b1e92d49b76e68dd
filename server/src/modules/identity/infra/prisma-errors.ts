/** Prisma's unique-constraint violation, recognised without importing the generated client's classes. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}
