import { Router, type Response } from "express";
import type { HttpRoutes } from "../../../http/http-routes.js";
import type { Logger } from "../../../shared/application/logger.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { isQuality } from "../../../shared/domain/quality.js";
import type { ServePlaylists } from "../application/serve-playlists.js";

const VARIANT_FILE = /^([A-Z0-9]{1,16})\.m3u8$/;
const STATUS_OF: Partial<Record<DomainError["kind"], number>> = { FORBIDDEN: 403, NOT_FOUND: 404 };

/**
 * GET /play/{token}/master.m3u8 and /play/{token}/{quality}.m3u8 (docs/playback.md). The token is
 * the credential, in the path, so the relative URIs of the master playlist carry it: a plain
 * `<video src>` plays as well as hls.js. Any origin may fetch a playlist (docs/adr/0025).
 */
export function playbackRoutes(playlists: ServePlaylists, logger: Logger): HttpRoutes {
  const router = Router();
  router.get("/:token/:file", async (req, res) => {
    const token = String(req.params.token);
    const file = String(req.params.file);
    try {
      if (file === "master.m3u8") {
        answer(res, await playlists.master(token));
        return;
      }
      const quality = VARIANT_FILE.exec(file)?.[1];
      if (!quality || !isQuality(quality)) {
        fail(res, 404, "NOT_FOUND", "Not found");
        return;
      }
      answer(res, await playlists.variant(token, quality));
    } catch (error) {
      const status = error instanceof DomainError ? STATUS_OF[error.kind] : undefined;
      if (error instanceof DomainError && status) {
        fail(res, status, error.code, error.message);
      } else {
        logger.error("playlist failed", { error });
        fail(res, 500, "INTERNAL", "Internal server error");
      }
    }
  });
  return { mountPath: "/play", router };
}

function answer(res: Response, playlist: string): void {
  crossOrigin(res);
  res.status(200).set({ "Content-Type": "application/vnd.apple.mpegurl", "Cache-Control": "private, no-store" }).send(playlist);
}

function fail(res: Response, status: number, errorCode: string, message: string): void {
  crossOrigin(res);
  res
    .status(status)
    .set("Cache-Control", "private, no-store")
    .json({ error: { message, errorCode, correlationId: res.locals.correlationId } });
}

/**
 * The token is the credential, never a cookie: any origin may read a playlist, without credentials
 * (so never with Allow-Credentials, which the API's CORS sets for its own origins). Cross-origin
 * embedding, as for signed /files URLs: a Safari `<video>` on another page loads it in no-cors mode.
 */
function crossOrigin(res: Response): void {
  res.removeHeader("Access-Control-Allow-Credentials");
  res.set({ "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" });
}
