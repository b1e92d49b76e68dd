import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { errorCodeOf } from "../../server/src/trpc/error-mapping.js";

/** Asserts a createCaller call failed with this tRPC code and domain errorCode, as a client would see it. */
export async function expectTrpcError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
  errorCode?: string,
): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, "expected the call to fail").toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect({ code: trpcError.code, errorCode: errorCodeOf(trpcError) }).toMatchObject({
    code,
    ...(errorCode ? { errorCode } : {}),
  });
  return trpcError;
}
