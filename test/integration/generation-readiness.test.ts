import os from "node:os";
import path from "node:path";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GENERATION_AVAILABILITY,
  GENERATION_PROVIDER,
  type GenerationAvailability,
  type GenerationProvider,
} from "../../server/src/shared/application/generation-provider.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";

// msw answers for the provider's origin; the API under test on 127.0.0.1 is reached for real.
const PROVIDER = "http://127.0.0.1:47914";
const API_KEY = "readiness-test-key-9d2e";

describe("readiness with the remote generation provider", () => {
  const mock = setupServer(
    http.post(`${PROVIDER}/v1/videos`, () => HttpResponse.json({ error: "down for maintenance" }, { status: 503 })),
  );
  let api: HttpTestApi;

  beforeAll(async () => {
    mock.listen({ onUnhandledRequest: "bypass" });
    api = await startHttpApi("pglite", {
      GENERATION_PROVIDER_URL: PROVIDER,
      GENERATION_PROVIDER_API_KEY: API_KEY,
      GENERATION_MAX_RETRIES: "0",
      GENERATION_BREAKER_THRESHOLD: "1",
      GENERATION_BREAKER_HALF_OPEN_MS: "60000",
    });
  });
  afterAll(async () => {
    await api?.close();
    mock.close();
  });

  it("stays 200 and reads degraded while the provider's circuit is open", async () => {
    const before = await api.get("/health/ready");
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ status: "ok", checks: { generation: "ok" } });
    const availability = api.container.get<GenerationAvailability>(GENERATION_AVAILABILITY);
    expect(await availability.isAvailable()).toBe(true);

    const provider = api.container.get<GenerationProvider>(GENERATION_PROVIDER);
    expect(provider.describe).toBe(`http (${PROVIDER})`);
    const run = {
      outputPath: path.join(os.tmpdir(), `reelbase-readiness-${process.pid}.mp4`),
      signal: new AbortController().signal,
      onProgress: () => {},
    };
    const request = { idempotencyKey: "job-x", script: "Hi.", voice: "en-us", width: 640, height: 360 } as const;
    await expect(provider.generate(request, run)).rejects.toMatchObject({ code: "DEPENDENCY_UNAVAILABLE" });
    // One failure opened it (threshold 1): the next call fails fast, for good, refunded by the caller.
    await expect(provider.generate(request, run)).rejects.toMatchObject({
      code: "GENERATION_UNAVAILABLE",
      details: { permanent: true },
    });
    expect(await availability.isAvailable()).toBe(false);

    const ready = await api.get("/health/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "degraded",
      degraded: ["generation"],
      checks: { database: "ok", storage: "ok", generation: "degraded", queue: "ok" },
      adapters: { database: "pglite", storage: "local", queue: "embedded" },
    });
    expect(api.rawLogs()).not.toContain(API_KEY);
  });
});
