/**
 * The hand-written servers Reelbase's request path is measured against, one per process:
 *
 *   node --import tsx bench/lib/baselines/servers.ts <variant> <port> [databaseUrl]
 *
 * - raw:            node:http answering a constant JSON body (the ceiling of one Node process)
 * - raw-pg:         node:http + a pg Pool running the videos.get SELECT
 * - express-prisma: express 5 + the project's Prisma client, same query, no auth: what a user
 *                   writes without any architecture
 * - trpc-bare:      a bare tRPC 11 router on express with zod input and output schemas (the
 *                   project's own), the same Prisma query, no auth
 * - trpc-ours:      the same router served by Reelbase's tRPC handler instead of tRPC's
 *                   express adapter: the effect of that handler alone
 *
 * The Prisma variants make the same call as Reelbase's video repository,
 * `video.findUnique({ where: { id, deletedAt: null } })`, so a change of Prisma call shows in both.
 *
 * Each prints "listening on http://…" once it accepts connections, like the API does.
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { PrismaPg } from "@prisma/adapter-pg";
import { initTRPC, TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import pg from "pg";
import { PrismaClient } from "../../../server/src/generated/prisma/client.js";
import { trpcHandler } from "../../../server/src/http/trpc-handler.js";
import { videoIdInput, videoOutput } from "../../../server/src/modules/videos/api/videos.schemas.js";
import { videoJson, type VideoRow } from "./video-row.js";

const VARIANTS = ["raw", "raw-pg", "express-prisma", "trpc-bare", "trpc-ours"] as const;
type Variant = (typeof VARIANTS)[number];
const isVariant = (value: string | undefined): value is Variant => VARIANTS.some((variant) => variant === value);

const [variant, portArg = "0", databaseUrl = ""] = process.argv.slice(2);
if (!isVariant(variant)) throw new Error(`variant must be one of ${VARIANTS.join(", ")}`);
/** The same pool size as the API's PostgreSQL adapter (server/src/database/open-database.ts). */
const POOL_SIZE = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const prismaClient = () => new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: POOL_SIZE }) });

function rawConstant(): RequestListener {
  const body = JSON.stringify({ status: "ok" });
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}

function rawPg(): RequestListener {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const sql = `SELECT id, owner_id AS "ownerId", title, description, status, upload_filename AS "uploadFilename",
    upload_content_type AS "uploadContentType", upload_size_bytes::bigint AS "uploadSizeBytes",
    duration_seconds AS "durationSeconds", width, height, video_codec AS "videoCodec", audio_codec AS "audioCodec",
    created_at AS "createdAt", updated_at AS "updatedAt" FROM videos WHERE id = $1 AND deleted_at IS NULL`;
  return (req, res) => {
    const id = new URL(req.url ?? "/", "http://x").searchParams.get("id") ?? "";
    if (!UUID.test(id)) {
      res.writeHead(400).end();
      return;
    }
    pool
      .query<VideoRow & { uploadSizeBytes: string | null }>(sql, [id])
      .then(({ rows: [row] }) => {
        if (!row) return void res.writeHead(404).end();
        const body = JSON.stringify(
          videoJson({ ...row, uploadSizeBytes: row.uploadSizeBytes === null ? null : BigInt(row.uploadSizeBytes) }),
        );
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      })
      .catch(() => res.writeHead(500).end());
  };
}

function expressPrisma(): RequestListener {
  const prisma = prismaClient();
  const app = express();
  app.get("/videos/:id", async (req, res) => {
    if (!UUID.test(req.params.id)) return void res.status(400).json({ error: "bad id" });
    const row = await prisma.video.findUnique({ where: { id: req.params.id, deletedAt: null } });
    if (!row) return void res.status(404).json({ error: "not found" });
    res.json(videoJson(row));
  });
  return app;
}

function trpcBare(handler: "stock" | "ours"): RequestListener {
  const prisma = prismaClient();
  const t = initTRPC.create();
  const router = t.router({
    videos: t.router({
      get: t.procedure
        .input(videoIdInput)
        .output(videoOutput)
        .query(async ({ input }) => {
          const row = await prisma.video.findUnique({ where: { id: input.id, deletedAt: null } });
          if (!row) throw new TRPCError({ code: "NOT_FOUND" });
          return videoJson(row);
        }),
    }),
  });
  const app = express();
  app.use(
    "/trpc",
    handler === "stock"
      ? createExpressMiddleware({ router })
      : trpcHandler({ router, maxBodySize: 1024 * 1024, createContext: () => ({}) }),
  );
  return app;
}

const listeners: Record<Variant, () => RequestListener> = {
  raw: rawConstant,
  "raw-pg": rawPg,
  "express-prisma": expressPrisma,
  "trpc-bare": () => trpcBare("stock"),
  "trpc-ours": () => trpcBare("ours"),
};

const server = createServer(listeners[variant]()).listen(Number(portArg), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${variant} listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
