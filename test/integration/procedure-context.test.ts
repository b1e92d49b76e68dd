import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLogMiddleware } from "../../server/src/http/access-log.middleware.js";
import { requestContextMiddleware } from "../../server/src/http/request-context.middleware.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { RequestMetrics } from "../../server/src/metrics/trpc-metrics.middleware.js";
import { noMetrics } from "../../server/src/shared/application/metrics.js";
import { noRateLimits } from "../../server/src/shared/application/rate-limits.js";
import { setContextUser } from "../../server/src/shared/request-context.js";
import type { Context } from "../../server/src/trpc/context.js";
import { publicProcedure, router } from "../../server/src/trpc/init.js";

const stream = new PassThrough();
let captured = "";
stream.on("data", (chunk: Buffer) => (captured += chunk.toString("utf8")));
const logger = createWinstonLogger({ level: "debug", json: true, stream });
const lines = () =>
  captured
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Each procedure logs after a different delay, so the three calls of a batch interleave. */
const logAfter = (name: string, ms: number, userId?: string) =>
  publicProcedure.query(async () => {
    if (userId) setContextUser(userId);
    await new Promise((resolve) => setTimeout(resolve, ms));
    logger.info(`in ${name}`);
    return name;
  });

const testRouter = router({
  first: logAfter("first", 30),
  second: logAfter("second", 5, "user-2"),
  third: logAfter("third", 15),
});

let url: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(requestContextMiddleware());
  app.use(accessLogMiddleware(logger));
  app.use(
    "/trpc",
    createExpressMiddleware({
      router: testRouter,
      createContext: ({ res }): Context => ({
        requestId: String(res.locals.correlationId),
        ip: null,
        authorization: null,
        exposeErrorDetails: false,
        // No container in this test: only the metrics middleware asks for something, and records nothing.
        resolve: <T>(wanted: new (...args: never[]) => T): T => {
          if (wanted === (RequestMetrics as unknown)) return new RequestMetrics(noMetrics) as T;
          throw new Error("no container in this test");
        },
        response: { headers: {} },
        rateLimits: noRateLimits,
      }),
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => close());

describe("the context of a procedure call", () => {
  it("names its own procedure on every line of a batch, and the access line names them all", async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: null, 1: null, 2: null }));
    const response = await fetch(`${url}/trpc/first,second,third?batch=1&input=${input}`, {
      headers: { "x-request-id": "batch-1" },
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));

    const ofBatch = lines().filter((line) => line.correlationId === "batch-1");
    for (const name of ["first", "second", "third"]) {
      expect(ofBatch.find((line) => line.message === `in ${name}`)).toMatchObject({ path: name });
    }
    // Only the procedure that authenticated carries the user; the request learns it for its access line.
    expect(ofBatch.find((line) => line.message === "in second")?.userId).toBe("user-2");
    expect(ofBatch.find((line) => line.message === "in first")?.userId).toBeUndefined();
    expect(ofBatch.find((line) => line.message === "request")).toMatchObject({
      path: "first,second,third",
      userId: "user-2",
      status: 200,
    });
  });
});
