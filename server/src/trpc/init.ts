import type { ApiKeyScope } from "../shared/domain/roles.js";
import { metricsMiddleware } from "../metrics/trpc-metrics.middleware.js";
import { IdentityErrors } from "../modules/identity/domain/identity.errors.js";
import { absentInputMiddleware } from "./middlewares/absent-input.middleware.js";
import { authenticateMiddleware } from "./middlewares/authenticate.middleware.js";
import { procedureContextMiddleware } from "./middlewares/procedure-context.middleware.js";
import { rateLimitMiddleware } from "./middlewares/rate-limit.middleware.js";
import { t } from "./trpc.js";

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/**
 * Who may call a procedure, kept in its `meta` (`procedure._def.meta.access`) so the OpenAPI document
 * (server/src/openapi/) states each operation's security from the procedure itself.
 */
export type ProcedureAccess =
  { kind: "public" } | { kind: "caller"; scope: ApiKeyScope | null } | { kind: "session" } | { kind: "admin" };

/**
 * A procedure kept for its callers while they move to `use` (docs/adr/0028-api-evolution.md): set with
 * `.meta({ deprecated: { since: "1.4.0", use: "videos.other" } })`, with a `@deprecated` JSDoc on its
 * router key for the typed client. The OpenAPI document marks the operation `deprecated: true`; it is
 * removed in a later major release of the client, not before.
 */
export interface ProcedureDeprecation {
  /** The client release (client/package.json) that first shipped the deprecation. */
  since: string;
  /** The procedure path to call instead, if there is one. */
  use?: string;
  /** Why, or what else to do, in a sentence. */
  reason?: string;
}

/** The meta of every procedure (tRPC merges each `.meta()` into the base procedure's). */
export interface ProcedureMeta {
  access?: ProcedureAccess;
  deprecated?: ProcedureDeprecation;
}

const access = (value: ProcedureAccess): ProcedureMeta => ({ access: value });

/**
 * Cross-cutting concerns, one named middleware a file in ./middlewares/, composed here and nowhere
 * else. Outermost first:
 *
 * 1. metricsMiddleware (server/src/metrics/) — first, so it times everything below it and sees the
 *    final outcome of every call, those refused by the middlewares after it included.
 * 2. procedureContextMiddleware — the call's logging context; domain errors → tRPC errors.
 * 3. the identity: none (public) or authenticateMiddleware(scope).
 * 4. rateLimitMiddleware — the caller's (or the address's) budget, then the procedure's own.
 * 5. absentInputMiddleware — no input at all is read as `{}`, before the procedure's input parser.
 */
const baseProcedure = t.procedure.use(metricsMiddleware).use(procedureContextMiddleware);

export const publicProcedure = baseProcedure
  .use(rateLimitMiddleware)
  .use(absentInputMiddleware)
  .meta(access({ kind: "public" }));

/** A user by session or by API key; an API key must carry `scope` when one is given. */
function authenticated(scope?: ApiKeyScope) {
  return baseProcedure
    .use(authenticateMiddleware(scope))
    .use(rateLimitMiddleware)
    .use(absentInputMiddleware)
    .meta(access({ kind: "caller", scope: scope ?? null }));
}

/** A user by session or by API key (any scope). Most procedures want one of the narrower ones below. */
export const authedProcedure = authenticated();

/** A signed-in user. API keys never reach auth.*, users.*, apiKeys.* or admin.*. */
export const userProcedure = authedProcedure
  .use(({ ctx, next }) => {
    if (ctx.caller.via !== "session") throw IdentityErrors.apiKeyNotAllowed();
    return next({ ctx: { caller: ctx.caller } });
  })
  .meta(access({ kind: "session" }));

export const adminProcedure = userProcedure
  .use(({ ctx, next }) => {
    if (ctx.caller.role !== "ADMIN") throw IdentityErrors.adminRequired();
    return next();
  })
  .meta(access({ kind: "admin" }));

/** A signed-in user (any scope) or an API key carrying `scope`. */
export function scopedProcedure(scope: ApiKeyScope) {
  return authenticated(scope);
}
