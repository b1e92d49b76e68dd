import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { redact } from "../../server/src/logging/redact.js";
import { decodeCursor, encodeCursor, isCursor, toPage } from "../../server/src/shared/application/pagination.js";
import { DomainError, type ErrorKind } from "../../server/src/shared/domain/domain-error.js";
import { errorCodeOf, fieldErrorsOf, toTRPCError } from "../../server/src/trpc/error-mapping.js";

describe("redact", () => {
  it("masks secret-looking fields at any depth and keeps the rest", () => {
    const masked = redact({
      email: "a@b.c",
      password: "p",
      nested: { accessToken: "t", list: [{ apiKey: "k", ok: 1 }] },
      authorization: "Bearer x",
    });
    expect(masked).toEqual({
      email: "a@b.c",
      password: "[REDACTED]",
      nested: { accessToken: "[REDACTED]", list: [{ apiKey: "[REDACTED]", ok: 1 }] },
      authorization: "[REDACTED]",
    });
  });
});

describe("cursor pagination", () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const crafted = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("round-trips a position and refuses garbage with a validation error", () => {
    const position = { createdAt: new Date("2026-01-02T03:04:05.678Z"), id: id(1) };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of [
      "garbage",
      Buffer.from("[1,2]").toString("base64url"),
      crafted(["not a date", id(1)]),
      crafted([position.createdAt.toISOString(), "x"]),
      crafted([position.createdAt.toISOString(), "1' OR '1'='1"]),
      crafted(["0000-01-01T00:00:00Z", id(1)]),
      crafted(["+275760-09-13T00:00:00Z", id(1)]),
      crafted(["-001000-01-01T00:00:00Z", id(1)]),
      crafted({ createdAt: position.createdAt.toISOString(), id: id(1) }),
    ]) {
      expect(() => decodeCursor(bad), bad).toThrow(DomainError);
      expect(isCursor(bad), bad).toBe(false);
    }
  });

  it("uses the extra row only to know that another page exists", () => {
    const rows = [3, 2, 1].map((n) => ({ createdAt: new Date(n * 1000), id: id(n) }));
    const page = toPage(rows, 2, (row) => row.id);
    expect(page.items).toEqual([id(3), id(2)]);
    expect(decodeCursor(page.nextCursor ?? "")).toEqual({ createdAt: new Date(2000), id: id(2) });
    expect(toPage(rows, 3, (row) => row.id).nextCursor).toBeNull();
  });
});

describe("error mapping", () => {
  it.each<[ErrorKind, string]>([
    ["BAD_REQUEST", "BAD_REQUEST"],
    ["UNAUTHENTICATED", "UNAUTHORIZED"],
    ["FORBIDDEN", "FORBIDDEN"],
    ["NOT_FOUND", "NOT_FOUND"],
    ["CONFLICT", "CONFLICT"],
    ["BUSINESS_RULE", "UNPROCESSABLE_CONTENT"],
    ["RATE_LIMITED", "TOO_MANY_REQUESTS"],
    ["UPSTREAM_FAILED", "BAD_GATEWAY"],
    ["UNAVAILABLE", "SERVICE_UNAVAILABLE"],
  ])("maps %s to %s and keeps the domain code", (kind, code) => {
    const error = toTRPCError(new DomainError("JOB_ALREADY_ACTIVE", kind, "message"));
    expect(error.code).toBe(code);
    expect(errorCodeOf(error)).toBe("JOB_ALREADY_ACTIVE");
  });

  it("takes only codes from the error-code list, so a mistyped code does not compile", () => {
    // @ts-expect-error "JOB_ALREADY_ACTIV" is not an ErrorCode: the type check of this file fails if it were accepted.
    const mistyped = new DomainError("JOB_ALREADY_ACTIV", "CONFLICT", "message");
    expect(mistyped.code).toBe("JOB_ALREADY_ACTIV");
  });

  it("gives unexpected errors the INTERNAL code and validation errors their field paths", () => {
    expect(errorCodeOf(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("boom") }))).toBe("INTERNAL");
    const parsed = z.object({ a: z.string(), b: z.object({ c: z.number() }) }).safeParse({ a: 1, b: { c: "x" } });
    const error = new TRPCError({ code: "BAD_REQUEST", cause: parsed.error });
    expect(Object.keys(fieldErrorsOf(error) ?? {}).sort()).toEqual(["a", "b.c"]);
    expect(errorCodeOf(error)).toBe("VALIDATION_FAILED");
  });
});
