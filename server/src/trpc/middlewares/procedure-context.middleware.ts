import { DomainError } from "../../shared/domain/domain-error.js";
import { runProcedureInContext } from "../../shared/request-context.js";
import { toTRPCError } from "../error-mapping.js";
import { t } from "../trpc.js";

/**
 * Every call runs in a logging context of its own (its path, and the user once known), and a
 * domain error thrown anywhere below comes back as the tRPC error it maps to, in one place.
 */
export const procedureContextMiddleware = t.middleware(({ path, next }) =>
  runProcedureInContext(path, async () => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof DomainError) throw toTRPCError(result.error.cause);
    return result;
  }),
);
