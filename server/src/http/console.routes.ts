import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Router } from "express";
import expressStaticGzip from "express-static-gzip";
import helmet from "helmet";
import type { StorageConfig } from "../config/config.js";

/**
 * The web console at `/`: index.html under its own Content-Security-Policy, the hashed assets
 * cached for a year. Hash routing (`#/videos/...`) means no path but `/` ever needs index.html.
 */
export function consoleRoutes(options: { dir: string; storage: StorageConfig }): Router {
  const router = express.Router();
  const dir = path.resolve(options.dir);
  const index = path.join(dir, "index.html");
  if (!existsSync(index)) return router;

  const policy = helmet.contentSecurityPolicy({ directives: consoleDirectives(options.storage) });
  router.get("/", policy, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  // File names carry a content hash, so a year's caching is safe; the .br/.gz copies the build wrote are preferred.
  router.use(
    "/assets",
    expressStaticGzip(path.join(dir, "assets"), {
      enableBrotli: true,
      orderPreference: ["br", "gz"],
      index: false,
      serveStatic: { immutable: true, maxAge: "365d", index: false, fallthrough: true },
    }),
  );
  return router;
}

/**
 * helmet's defaults (script-src 'self', no inline script) plus what the console needs: hls.js feeds
 * the <video> from `blob:` URLs and may start its worker from one; media, posters and upload parts
 * come from the storage origin when storage is S3. No upgrade-insecure-requests: the quick start
 * serves plain http on 127.0.0.1, where upgrading would break every request.
 */
export function consoleDirectives(storage: StorageConfig): Record<string, string[] | null> {
  const storageOrigins = storageOriginsOf(storage);
  return {
    "connect-src": ["'self'", ...storageOrigins],
    "media-src": ["'self'", "blob:", ...storageOrigins],
    "worker-src": ["'self'", "blob:"],
    "img-src": ["'self'", "data:", "blob:", ...storageOrigins],
    "upgrade-insecure-requests": null,
  };
}

function storageOriginsOf(storage: StorageConfig): string[] {
  if (storage.kind === "local") return [];
  const endpoint = storage.publicEndpoint ?? storage.endpoint;
  if (endpoint) return [new URL(endpoint).origin];
  // AWS itself: virtual-hosted and path-style URLs of the region.
  return [`https://${storage.bucket}.s3.${storage.region}.amazonaws.com`, `https://s3.${storage.region}.amazonaws.com`];
}
