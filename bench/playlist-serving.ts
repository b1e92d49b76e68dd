/**
 * What serving HLS playlists costs (`GET /play/{token}/master.m3u8` and a variant playlist) next to
 * raw node:http answering a static playlist of the same size, in the request-path bench's setup:
 *
 *   npx tsx bench/playlist-serving.ts [--rounds N] [--duration S] [--connections N] [--segments N]
 *
 * The API runs as in production (PostgreSQL, Redis cache and event bus, access lines at info,
 * local storage, so a variant's media URL is signed with one HMAC), pinned to core 0 like the
 * baseline; autocannon runs in its own process pinned to core 1. Every request of a round uses one
 * token, as one viewer's player would: the master fetch counts its view once, then the in-process
 * LRU answers. Rounds are interleaved and ratios taken within a round.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { startChildApi, type ChildApi } from "./lib/child-api.js";
import { BENCH_ENV } from "./lib/in-process-api.js";
import type { LoadResult } from "./lib/load-generator.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { load, median, pin } from "./lib/pinned-processes.js";
import { createScratchDatabase, serverVersion, withClient } from "./lib/scratch-db.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";
import { startListeningChild } from "./lib/listening-child.js";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 3);
const DURATION_SECONDS = flag("--duration", 5);
const CONNECTIONS = flag("--connections", 16);
/** 2 s segments: 150 is a five-minute video. */
const SEGMENTS = flag("--segments", 150);
const SERVER_CORE = "0";
const LOAD_CORE = "1";
const REDIS_URL = `${process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379"}/8`;
const RENDITIONS = [
  { quality: "P360", width: 640, height: 360, bitrate: 800_000 },
  { quality: "P720", width: 1280, height: 720, bitrate: 2_500_000 },
  { quality: "P1080", width: 1920, height: 1080, bitrate: 5_000_000 },
];
const TARGET = 0.3;

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** An index as the transcoder writes it: an init section, then 2 s segments around the bit rate. */
function indexFor(bitrate: number) {
  const init = { offset: 0, length: 1_200 };
  let offset = init.length;
  const segments = Array.from({ length: SEGMENTS }, (_, index) => {
    const length = Math.round((bitrate / 8) * 2 * (0.8 + 0.4 * ((index * 7) % 10) * 0.1));
    const segment = { offset, length, durationSeconds: index === SEGMENTS - 1 ? 1.48 : 2 };
    offset += length;
    return segment;
  });
  return { init, segments, sizeBytes: offset };
}

async function seedRenditions(databaseUrl: string, videoId: string): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    for (const rendition of RENDITIONS) {
      const { sizeBytes, ...hls } = indexFor(rendition.bitrate);
      await client.query(
        `INSERT INTO stored_files (id, video_id, kind, storage_key, content_type, size_bytes, sha256, quality, width, height,
           bitrate, codecs, frame_rate, hls)
         VALUES (gen_random_uuid(), $1, 'RENDITION', $2, 'video/mp4', $3, $4, $5, $6, $7, $8, 'avc1.64001f,mp4a.40.2', 30, $9)`,
        [
          videoId,
          `videos/${videoId}/renditions/bench-${rendition.quality}.mp4`,
          sizeBytes,
          "0".repeat(64),
          rendition.quality,
          rendition.width,
          rendition.height,
          rendition.bitrate,
          JSON.stringify(hls),
        ],
      );
    }
  });
}

async function startStaticBaseline(bodies: Record<string, string>, dir: string): Promise<Server> {
  const file = path.join(dir, "bodies.json");
  await writeFile(file, JSON.stringify(bodies));
  const server = await startListeningChild("bench/lib/baselines/static-playlist.ts", [file], "static baseline");
  await pin(server.pid, SERVER_CORE);
  return { url: server.url, pid: server.pid, stop: server.stop };
}

async function main(): Promise<void> {
  await pin(process.pid, LOAD_CORE);
  const db = await createScratchDatabase("playlists");
  const storageDir = await mkdtemp(path.join(tmpdir(), "reelbase-bench-playlists-"));
  const servers: Server[] = [];
  try {
    progress("starting the API");
    const api: ChildApi = await startChildApi(
      {
        ...BENCH_ENV,
        LOG_LEVEL: "info",
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: `bench-playlists-${process.pid}`,
        LOCAL_STORAGE_DIR: storageDir,
      },
      120_000,
    );
    servers.push(api);
    await pin(api.pid, SERVER_CORE);
    const client = new TrpcHttp(api.url);
    await registerUser(client, "playlists");
    const video = await client.mutation<{ id: string }>("videos.create", { title: "Playlist bench" });
    await seedRenditions(db.url, video.id);
    const playback = await client.query<{ hlsUrl: string }>("videos.playback", { id: video.id, expiresInSeconds: 86_400 });
    const masterPath = new URL(playback.hlsUrl).pathname;
    const variantPath = masterPath.replace(/master\.m3u8$/, "P720.m3u8");
    const master = await (await fetch(`${api.url}${masterPath}`)).text();
    const variant = await (await fetch(`${api.url}${variantPath}`)).text();
    if (!master.startsWith("#EXTM3U") || !variant.includes("#EXT-X-ENDLIST")) throw new Error("the API served no playlists");
    const baseline = await startStaticBaseline({ "/master.m3u8": master, "/variant.m3u8": variant }, storageDir);
    servers.push(baseline);

    const variants = [
      { key: "raw-master", label: "raw `node:http`, static master playlist", url: baseline.url, path: "/master.m3u8" },
      { key: "master", label: "Reelbase `GET /play/{token}/master.m3u8`", url: api.url, path: masterPath },
      // The same API process's ceiling: answered before express, like the playlists.
      { key: "live", label: "Reelbase `GET /health/live` (control)", url: api.url, path: "/health/live" },
      { key: "raw-variant", label: "raw `node:http`, static P720 playlist", url: baseline.url, path: "/variant.m3u8" },
      { key: "variant", label: "Reelbase `GET /play/{token}/P720.m3u8`", url: api.url, path: variantPath },
    ];
    const measure = async (variant: (typeof variants)[number], seconds: number): Promise<LoadResult> => {
      const result = await load(
        { url: variant.url, paths: [variant.path], connections: CONNECTIONS, durationSeconds: seconds },
        LOAD_CORE,
      );
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        throw new Error(`${variant.key}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      return result;
    };
    progress("warm-up round");
    for (const variant of variants) await measure(variant, 2);
    const results = new Map<string, LoadResult[]>(variants.map((variant) => [variant.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const measured = await measure(variant, DURATION_SECONDS);
        results.get(variant.key)?.push(measured);
        progress(`round ${round + 1}/${ROUNDS} ${variant.key}: ${Math.round(measured.requestsPerSecond)} req/s`);
      }
    }
    const { rows: views } = await withClient(db.url, (pg) =>
      pg.query<{ n: string }>("SELECT count(*) AS n FROM playback_views WHERE video_id = $1", [video.id]),
    );

    const rps = (key: string) => (results.get(key) ?? []).map((measured) => measured.requestsPerSecond);
    const ratio = (a: string, b: string) => median(rps(a).map((value, round) => value / (rps(b)[round] ?? NaN)));
    const sizes: Record<string, number> = {
      "raw-master": Buffer.byteLength(master),
      master: Buffer.byteLength(master),
      live: Buffer.byteLength(JSON.stringify({ status: "ok" })),
      "raw-variant": Buffer.byteLength(variant),
      variant: Buffer.byteLength(variant),
    };
    const rows = variants.map((variant) => {
      const values = rps(variant.key);
      const raw = variant.key.endsWith("variant") ? "raw-variant" : "raw-master";
      return [
        variant.label,
        (sizes[variant.key] ?? 0).toLocaleString("en-US"),
        Math.round(median(values)).toLocaleString("en-US"),
        `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`,
        String(median((results.get(variant.key) ?? []).map((measured) => measured.latencyP99Ms))),
        ratio(variant.key, raw).toFixed(3),
      ];
    });
    const targets = [
      ["master playlist ÷ raw `node:http`", ratio("master", "raw-master"), TARGET],
      ["variant playlist ÷ raw `node:http` (no target; informational)", ratio("variant", "raw-variant"), NaN],
      ["master playlist ÷ the same process's `/health/live` (no target; informational)", ratio("master", "live"), NaN],
    ] as const;
    process.stdout.write(
      [
        "## Playlist serving: `/play/{token}/…` vs raw node:http",
        "",
        `Command: \`${benchCommand("playlist-serving.ts")}\``,
        "",
        machineFacts({
          // This process is pinned to one core by now; the machine has more.
          nproc: String(cpus().length),
          database: await serverVersion(db.url),
          setup: `each server its own process pinned to core ${SERVER_CORE}; autocannon in its own process pinned to core ${LOAD_CORE}; ${CONNECTIONS} connections; ${ROUNDS} interleaved rounds of ${DURATION_SECONDS} s after a 2 s warm-up round; one token for every request`,
          reelbase: `NODE_ENV=production, PostgreSQL, Redis cache and event bus, LOG_LEVEL=info (access lines drained from a pipe), local storage; one video with ${RENDITIONS.length} fMP4 renditions of ${SEGMENTS} segments (index rows seeded in SQL)`,
        }),
        "",
        table(["variant", "body bytes", "req/s (median)", "min–max", "p99 ms", "÷ raw"], rows),
        "",
        table(
          ["ratio (within each round, median over rounds)", "measured", "needed", "met"],
          targets.map(([label, value, target]) => [
            label,
            value.toFixed(2),
            Number.isNaN(target) ? "—" : `≥ ${target}`,
            Number.isNaN(target) ? "—" : value >= target ? "yes" : "**no**",
          ]),
        ),
        "",
        `Views recorded for the one token over all rounds: ${views[0]?.n ?? "?"} (one per 30-minute window it was fetched in).`,
      ].join("\n") + "\n",
    );
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    await rm(storageDir, { recursive: true, force: true });
    await db.drop();
  }
}

await main();
