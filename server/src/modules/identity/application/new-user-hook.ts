import type { Tier } from "../../../shared/domain/roles.js";

/**
 * What other contexts do when an account is created (billing opens the credit account), without
 * identity knowing them. Hooks run inside the unit of work that creates the user: if one fails,
 * the user is not created.
 */
export interface NewUserHook {
  onUserCreated(user: { id: string; tier: Tier }): Promise<void>;
}

export const NEW_USER_HOOK = Symbol.for("NewUserHook");
