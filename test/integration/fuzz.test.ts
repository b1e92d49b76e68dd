import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { Census, problemsWith } from "../support/fuzz/answer-shape.js";
import { createFuzzFixtures, type FuzzFixtures } from "../support/fuzz/fixtures.js";
import { inputArbitrary, rawTrpcRequest } from "../support/fuzz/inputs.js";
import { fuzzableProcedures } from "../support/fuzz/procedures.js";
import { callProcedure, request } from "../support/fuzz/transport.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { backends } from "../support/test-app.js";

/**
 * Property: whatever a client sends to any procedure, the answer is never a 5xx and every error has
 * the error shape of docs/product-contract.md §2. Procedures come from the router itself, inputs
 * from each one's zod schema, so a new procedure is fuzzed with no change here. Fixed seed: a failure replays; FUZZ_SEED and
 * FUZZ_RUNS explore further locally (e.g. FUZZ_RUNS=500).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS_PER_PROCEDURE = Number(process.env.FUZZ_RUNS ?? 30);
const RAW_RUNS = RUNS_PER_PROCEDURE * 4;

/** Optional valid inputs per procedure path, for paths a schema alone cannot reach. None needed yet. */
const SEEDS: Record<string, unknown[]> = {};

const procedures = fuzzableProcedures(appRouter);

describe.each(backends())("fuzzing every procedure over HTTP on %s", (backend) => {
  let api: HttpTestApi;
  let fixtures: FuzzFixtures;
  beforeAll(async () => {
    api = await startHttpApi(backend);
    fixtures = await createFuzzFixtures(api);
  });
  afterAll(() => api.close());

  it("finds every query and mutation of the router", () => {
    expect(procedures.map((procedure) => procedure.path)).toEqual(
      expect.arrayContaining([
        "auth.login",
        "videos.list",
        "admin.audit.list",
        "videos.analytics",
        "admin.stats",
        "videos.playback",
      ]),
    );
  });

  it("answers generated and hostile inputs without a 5xx, every error in the contract shape", { timeout: 120_000 }, async () => {
    // Every failing call is recorded, not just the first: one run is a census of what is wrong, and
    // each entry carries the exact input, which replays it. (So no shrinking: inputs are small anyway.)
    const census = new Census();
    for (const procedure of procedures) {
      const call = fc.record({
        caller: fc.oneof(...fixtures.callers.map(({ label, weight }) => ({ arbitrary: fc.constant(label), weight }))),
        input: inputArbitrary(procedure, fixtures.known, SEEDS[procedure.path]),
        batch: fc.boolean(),
      });
      const property = fc.asyncProperty(call, async (example) => {
        const headers = fixtures.callers.find(({ label }) => label === example.caller)?.headers ?? {};
        const answer = await callProcedure(api.url, procedure, example.input, { headers, batch: example.batch });
        census.record(procedure.path, problemsWith(answer, procedure.type === "query" ? "GET" : "POST"), example);
      });
      await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_PROCEDURE });
    }
    expect(census.report()).toEqual([]);
    // JSON.parse makes "__proto__" an own key; nothing on the server may have merged it into a prototype.
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it(
    "answers any method and content type on /trpc without a 5xx, every error in the contract shape",
    { timeout: 60_000 },
    async () => {
      const census = new Census();
      const paths = procedures.map((procedure) => procedure.path);
      const property = fc.asyncProperty(rawTrpcRequest(paths), async (example) => {
        const { method, path, contentType, body } = example;
        const answer = await request(api.url, {
          method,
          path: `/trpc/${path}`,
          headers: contentType ? { "content-type": contentType } : {},
          body: body === undefined ? undefined : Buffer.from(body, "utf8"),
        });
        census.record(method, problemsWith(answer, method), example);
      });
      await fc.assert(property, { seed: SEED, numRuns: RAW_RUNS });
      expect(census.report()).toEqual([]);
    },
  );
});
