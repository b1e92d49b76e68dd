/**
 * What the identity context offers other contexts. Anything not exported here is the context's own:
 * the ESLint layer rule refuses an import from another context past this file.
 */
export { GetUserQuery } from "./get-user.query.js";
export { NEW_USER_HOOK, type NewUserHook } from "./new-user-hook.js";
