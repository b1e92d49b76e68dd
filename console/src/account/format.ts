/** Dates as the reader's locale writes them; a missing one (never used, not revoked) as a dash. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "\u2014";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
