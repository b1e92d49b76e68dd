/**
 * How one credits.ledger entry reads in the table. The fields are declared here rather than taken
 * from RouterOutputs so this module imports nothing and the unit tests load it under plain Node.
 */
export interface LedgerEntryFields {
  kind: string;
  amount: number;
  jobId: string | null;
  reason: string | null;
}

const KIND_LABELS: Record<string, string> = {
  GRANT: "Grant",
  CHARGE: "Charge",
  REFUND: "Refund",
  ADMIN_GRANT: "Admin grant",
};

/** A kind the console does not know yet still shows, as the server spells it. */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** U+2212 rather than a hyphen: screen readers say "minus", and the column lines up. */
export function signedAmount(amount: number): string {
  if (amount > 0) return `+${amount}`;
  if (amount < 0) return `\u2212${Math.abs(amount)}`;
  return "0";
}

/** What the entry was for: the reason given and the job it paid for or refunded, when there is one. */
export function entryPurpose(entry: LedgerEntryFields): string {
  const parts = [entry.reason?.trim() || null, entry.jobId ? `job ${entry.jobId}` : null].filter(
    (part): part is string => part !== null,
  );
  return parts.length > 0 ? parts.join(" · ") : "\u2014";
}
