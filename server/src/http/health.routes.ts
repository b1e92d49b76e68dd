import { Router } from "express";
import type { HealthCheck } from "../shared/application/health-check.js";

const CHECK_TIMEOUT_MS = 2_000;

/** Readiness: are the dependencies reachable. Liveness is answered ahead of express (liveness.ts). */
export function healthRoutes(checks: HealthCheck[]): Router {
  const routes = Router();
  routes.get("/health/ready", async (_req, res) => {
    const results = await Promise.all(checks.map(runCheck));
    const failing = results.filter((result) => result.status !== "ok").map((result) => result.name);
    res.status(failing.length === 0 ? 200 : 503).json({
      status: failing.length === 0 ? "ok" : "unavailable",
      ...(failing.length > 0 ? { failing } : {}),
      checks: Object.fromEntries(results.map((result) => [result.name, result.status])),
    });
  });
  return routes;
}

async function runCheck(check: HealthCheck): Promise<{ name: string; status: "ok" | "failing" }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, status: "ok" };
  } catch {
    return { name: check.name, status: "failing" };
  } finally {
    clearTimeout(timer);
  }
}
