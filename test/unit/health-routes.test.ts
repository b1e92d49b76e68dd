import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { healthRoutes } from "../../server/src/http/health.routes.js";
import type { HealthCheck } from "../../server/src/shared/application/health-check.js";

const ok = (name: string, optional = false): HealthCheck => ({ name, optional, check: async () => {} });
const down = (name: string, optional = false): HealthCheck => ({
  name,
  optional,
  check: () => Promise.reject(new Error("down")),
});

async function ready(checks: HealthCheck[]): Promise<{ status: number; body: unknown }> {
  const app = express().use(healthRoutes(checks));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`);
    return { status: response.status, body: await response.json() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("/health/ready", () => {
  it("is 200 ok when every check passes", async () => {
    expect(await ready([ok("database"), ok("generation", true)])).toEqual({
      status: 200,
      body: { status: "ok", checks: { database: "ok", generation: "ok" } },
    });
  });

  it("stays 200 and reads degraded when only an optional dependency fails", async () => {
    expect(await ready([ok("database"), down("generation", true)])).toEqual({
      status: 200,
      body: { status: "degraded", degraded: ["generation"], checks: { database: "ok", generation: "degraded" } },
    });
  });

  it("is 503 when a required dependency fails, naming optional ones that are degraded too", async () => {
    expect(await ready([down("database"), down("generation", true), ok("queue")])).toEqual({
      status: 503,
      body: {
        status: "unavailable",
        failing: ["database"],
        degraded: ["generation"],
        checks: { database: "failing", generation: "degraded", queue: "ok" },
      },
    });
  });

  it("says which adapter serves each part that declares one", async () => {
    const database: HealthCheck = { name: "database", adapter: "pglite", check: async () => {} };
    const cache: HealthCheck = { name: "cache", adapter: "redis", check: () => Promise.reject(new Error("down")) };
    expect(await ready([database, cache, ok("generation", true)])).toEqual({
      status: 503,
      body: {
        status: "unavailable",
        failing: ["cache"],
        checks: { database: "ok", cache: "failing", generation: "ok" },
        adapters: { database: "pglite", cache: "redis" },
      },
    });
  });
});
