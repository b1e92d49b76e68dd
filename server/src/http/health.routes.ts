import { Router, type Response } from "express";
import type { HealthCheck } from "../shared/application/health-check.js";
import { isDraining } from "./graceful-close.js";

const CHECK_TIMEOUT_MS = 2_000;

type CheckStatus = "ok" | "failing" | "degraded";

/**
 * Readiness: are the dependencies reachable. A failing required check answers 503 "unavailable"
 * (`failing` names them); a failing optional one (the generation provider's circuit is open)
 * answers 200 "degraded" (`degraded` names them), so the instance stays in rotation. `adapters`
 * says which implementation serves each part that declares one (`{"database": "pglite", …}`).
 * Once the process is shutting down (SIGTERM: gracefulClose has begun) it answers 503
 * "shutting_down" without running the checks, also to a probe whose checks were running when the
 * signal came, so a load balancer takes the instance out of rotation while the requests in flight
 * finish. Liveness is answered ahead of express (liveness.ts) and stays 200 until the process exits.
 */
export function healthRoutes(checks: HealthCheck[]): Router {
  const routes = Router();
  routes.get("/health/ready", async (req, res) => {
    if (isDraining(req)) return shuttingDown(res);
    const results = await Promise.all(checks.map(runCheck));
    if (isDraining(req)) return shuttingDown(res);
    const failing = results.filter((result) => result.status === "failing").map((result) => result.name);
    const degraded = results.filter((result) => result.status === "degraded").map((result) => result.name);
    const adapters = checks.flatMap((check) => (check.adapter ? [[check.name, check.adapter] as const] : []));
    const status = failing.length > 0 ? "unavailable" : degraded.length > 0 ? "degraded" : "ok";
    res.status(failing.length === 0 ? 200 : 503).json({
      status,
      ...(failing.length > 0 ? { failing } : {}),
      ...(degraded.length > 0 ? { degraded } : {}),
      checks: Object.fromEntries(results.map((result) => [result.name, result.status])),
      ...(adapters.length > 0 ? { adapters: Object.fromEntries(adapters) } : {}),
    });
  });
  return routes;
}

function shuttingDown(res: Response): void {
  res.status(503).json({ status: "shutting_down", message: "This process is shutting down; send requests to another instance" });
}

async function runCheck(check: HealthCheck): Promise<{ name: string; status: CheckStatus }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, status: "ok" };
  } catch {
    return { name: check.name, status: check.optional ? "degraded" : "failing" };
  } finally {
    clearTimeout(timer);
  }
}
