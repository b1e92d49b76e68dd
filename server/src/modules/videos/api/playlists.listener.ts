import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../../../shared/application/logger.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";
import { isQuality } from "../../../shared/domain/quality.js";
import type { ServePlaylists } from "../application/serve-playlists.js";

const PREFIX = "/play/";
const VARIANT_FILE = /^([A-Z0-9]{1,16})\.m3u8$/;
/** A database or storage outage is a clear 503 a player retries, as on /trpc; anything else unknown is a 500. */
const STATUS_OF: Partial<Record<DomainError["kind"], number>> = { FORBIDDEN: 403, NOT_FOUND: 404, UNAVAILABLE: 503 };

/**
 * On every answer. The token is the credential, never a cookie: any origin may read a playlist, and
 * never with credentials. Cross-origin embedding as for signed /files URLs (a Safari `<video>` on
 * another page loads it in no-cors mode); a playlist is never a document (CSP sandbox). The rest is
 * what helmet gives the API's other answers.
 */
const COMMON_HEADERS = {
  "access-control-allow-origin": "*",
  "cross-origin-resource-policy": "cross-origin",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "cache-control": "private, no-store",
};
const PREFLIGHT_HEADERS = {
  ...COMMON_HEADERS,
  "access-control-allow-methods": "GET, HEAD",
  "access-control-allow-headers": "*",
  "access-control-max-age": "86400",
};

/**
 * GET /play/{token}/master.m3u8 and /play/{token}/{quality}.m3u8 (docs/playback.md), answered here,
 * before express, as the liveness probe is: every viewer's player fetches these, and express's
 * middleware chain (request context, access line, helmet, cors) cost 20 times what writing the
 * playlist does (docs/adr/0025). The token in the path is the credential, so the relative URIs of the
 * master playlist carry it and a plain `<video src>` plays as well as hls.js. No access line per
 * playlist (views are counted in playback_views); refusals are logged at debug, failures at error.
 */
export function withPlaylists(app: RequestListener, playlists: ServePlaylists, logger: Logger): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) {
      app(req, res);
      return;
    }
    void answer(req, res, url, playlists, logger);
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  playlists: ServePlaylists,
  logger: Logger,
): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, PREFLIGHT_HEADERS).end();
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    fail(req, res, 405, "METHOD_NOT_ALLOWED", "Only GET and HEAD", logger, { allow: "GET, HEAD" });
    return;
  }
  const query = url.indexOf("?");
  const [token = "", file = "", ...rest] = (query < 0 ? url : url.slice(0, query)).slice(PREFIX.length).split("/");
  try {
    if (rest.length > 0) throw notFound();
    if (file === "master.m3u8") {
      send(req, res, await playlists.master(token));
      return;
    }
    const quality = VARIANT_FILE.exec(file)?.[1];
    if (!quality || !isQuality(quality)) throw notFound();
    send(req, res, await playlists.variant(token, quality));
  } catch (error) {
    const status = error instanceof DomainError ? STATUS_OF[error.kind] : undefined;
    if (error instanceof DomainError && status) {
      if (status >= 500) logger.warn("playlist unavailable", { errorCode: error.code });
      fail(req, res, status, error.code, error.message, logger);
    } else {
      const correlationId = randomUUID();
      logger.error("playlist failed", { correlationId, error });
      fail(req, res, 500, "INTERNAL", "Internal server error", logger, {}, correlationId);
    }
  }
}

const notFound = () => new DomainError(ErrorCodes.NOT_FOUND, "NOT_FOUND", "Not found");

function send(req: IncomingMessage, res: ServerResponse, playlist: string): void {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    "content-type": "application/vnd.apple.mpegurl",
    "content-length": String(Buffer.byteLength(playlist, "utf8")),
  });
  // A string, not a Buffer: node then sends the head and the body in one write.
  res.end(req.method === "HEAD" ? undefined : playlist);
}

/** The API's error shape (docs/product-contract.md §2), never a stack. */
function fail(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  errorCode: string,
  message: string,
  logger: Logger,
  headers: Record<string, string> = {},
  correlationId: string = randomUUID(),
): void {
  if (status < 500) logger.debug("playlist refused", { correlationId, status, errorCode });
  const body = Buffer.from(JSON.stringify({ error: { message, errorCode, correlationId } }), "utf8");
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(body.length),
    "x-request-id": correlationId,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
