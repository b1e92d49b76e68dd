import { describe, expect, it } from "vitest";
import { DatabaseErrors, isDatabaseUnavailable, translateDatabaseError } from "../../server/src/database/database-errors.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";

function prismaError(code: string, message = "failed", meta?: unknown): Error {
  return Object.assign(new Error(message), { code, ...(meta ? { meta } : {}) });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["P1001", "can't reach the server"],
    ["P1002", "timed out reaching it"],
    ["P1008", "operation timed out"],
    ["P1017", "server closed the connection"],
    ["P2024", "no pooled connection in time"],
    ["P2037", "too many connections"],
  ])("is true for Prisma's %s (%s)", (code) => {
    expect(isDatabaseUnavailable(prismaError(code))).toBe(true);
  });

  it("is true for PostgreSQL's shutdown, start-up and connection SQLSTATEs carried by the driver", () => {
    for (const sqlstate of ["57P01", "57P02", "57P03", "08006", "08001", "53300"]) {
      const meta = { driverAdapterError: { cause: { kind: "postgres", originalCode: sqlstate } } };
      expect(isDatabaseUnavailable(prismaError("P2010", "raw query failed", meta)), sqlstate).toBe(true);
    }
  });

  it("is true for pg's uncoded message when a socket dies mid-query", () => {
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("is false for answers a repository looks at, for bugs, and for domain errors", () => {
    expect(isDatabaseUnavailable(prismaError("P2002", "Unique constraint failed"))).toBe(false);
    expect(isDatabaseUnavailable(prismaError("P2034", "write conflict"))).toBe(false);
    const conflict = { driverAdapterError: { cause: { kind: "postgres", originalCode: "40001" } } };
    expect(isDatabaseUnavailable(prismaError("P2010", "serialization failure", conflict))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(DatabaseErrors.unavailable())).toBe(false);
    expect(isDatabaseUnavailable("P1001")).toBe(false);
  });
});

describe("translateDatabaseError", () => {
  it("turns an outage into the 503 domain error with a fixed message, and passes anything else through", () => {
    const translated = translateDatabaseError(prismaError("P1001", "Can't reach database server at 10.0.0.5:5432"));
    expect(translated).toBeInstanceOf(DomainError);
    expect(translated).toMatchObject({ code: "DEPENDENCY_UNAVAILABLE", kind: "UNAVAILABLE" });
    expect((translated as Error).message).not.toContain("10.0.0.5");
    const unique = prismaError("P2002");
    expect(translateDatabaseError(unique)).toBe(unique);
  });
});
