import { ErrorCodes, isReelbaseError } from "@reelbase/client";

/** The server said the caller is not an admin: the page keeps the notice and drops forms that cannot work. */
export function isAdminRefusal(error: unknown): boolean {
  return isReelbaseError(error, ErrorCodes.ADMIN_REQUIRED) || isReelbaseError(error, ErrorCodes.FORBIDDEN);
}
