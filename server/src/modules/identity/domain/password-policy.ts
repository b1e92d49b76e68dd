import { IdentityErrors } from "./identity.errors.js";

export const PASSWORD_MIN_LENGTH = 10;
/** Long enough for any passphrase, short enough that hashing it is no denial-of-service lever. */
export const PASSWORD_MAX_LENGTH = 256;

export function assertAcceptablePassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw IdentityErrors.passwordTooWeak(`Password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw IdentityErrors.passwordTooWeak(`Password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
}
