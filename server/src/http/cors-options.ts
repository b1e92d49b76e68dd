import type { CorsOptions } from "cors";
import type { AppConfig } from "../config/config.js";

/**
 * CORS for every answer but /play's: one definition for express and for the listeners ahead of it,
 * so an allowed origin reads the same headers from either.
 */
export function corsOptionsOf(config: AppConfig): CorsOptions {
  return {
    origin: config.http.corsOrigins,
    credentials: true,
    // ETag: a browser uploading parts to /files must read it for uploads.complete; Content-Range: a
    // player on another origin range-reads /files media.
    exposedHeaders: [
      "X-Request-Id",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
      "ETag",
      "Content-Range",
    ],
  };
}
