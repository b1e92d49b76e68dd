import type { Router } from "express";

/** Plain HTTP routes a context contributes beside tRPC (e.g. local storage's /files/*). */
export interface HttpRoutes {
  readonly mountPath: string;
  readonly router: Router;
}

export const HTTP_ROUTES = Symbol.for("HttpRoutes");
