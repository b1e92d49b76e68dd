/**
 * The admin lists' filter forms turned into procedure input: empty fields are left out (the server
 * reads a missing filter as "any"), text is trimmed, and datetime-local values become ISO instants.
 * Imports nothing, so the unit tests load it under plain Node.
 */

export interface UserSearch<Role extends string, Tier extends string> {
  email: string;
  role: Role | "";
  tier: Tier | "";
}

export function usersListInput<Role extends string, Tier extends string>(
  search: UserSearch<Role, Tier>,
): { email?: string; role?: Role; tier?: Tier } {
  const email = search.email.trim();
  return {
    ...(email ? { email } : {}),
    ...(search.role ? { role: search.role } : {}),
    ...(search.tier ? { tier: search.tier } : {}),
  };
}

export interface AuditFilter<Action extends string> {
  action: Action | "";
  actorId: string;
  /** datetime-local values ("2026-12-06T14:30"), read in the browser's time zone. */
  from: string;
  to: string;
}

const MINUTE_MS = 60_000;

/** A datetime-local value as an ISO instant; "" or an unreadable value as undefined. */
export function localToIso(value: string, plusMs = 0): string | undefined {
  if (!value) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time + plusMs).toISOString();
}

export function auditListInput<Action extends string>(
  filter: AuditFilter<Action>,
): { action?: Action; actorId?: string; from?: string; to?: string } {
  const actorId = filter.actorId.trim();
  const from = localToIso(filter.from);
  // The server's `to` is exclusive and the form picks whole minutes: "to 14:30" keeps entries made during 14:30.
  const to = localToIso(filter.to, MINUTE_MS);
  return {
    ...(filter.action ? { action: filter.action } : {}),
    ...(actorId ? { actorId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}
