import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { PlaybackViews } from "../../server/src/modules/videos/application/playback-views.js";
import { resultOf, registerAdminOverHttp } from "../support/http-admin.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { addRendition, addThumbnail, ffmpeg, ffprobe, makeFmp4Rendition, type Fmp4Rendition } from "../support/hls-renditions.js";
import { S3RVER_CREDENTIALS, startS3rver } from "../support/s3-server.js";
import { backends } from "../support/test-app.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

interface Playback {
  hlsUrl: string;
  posterUrl: string | null;
  expiresAt: string;
  renditions: { quality: string; width: number; height: number; bitrate: number; mp4Url: string }[];
}

const BUCKET = "reelbase-playback";
const SECONDS = 5;
const MPEGURL = "application/vnd.apple.mpegurl";

let sandbox: string;
let s3rver: S3rver;
let s3Url: string;
let low: Fmp4Rendition;
let high: Fmp4Rendition;
let thumbnail: string;

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-playback-"));
  ({ server: s3rver, url: s3Url } = await startS3rver(path.join(sandbox, "s3rver"), BUCKET));
  low = await makeFmp4Rendition(sandbox, 320, 180, SECONDS);
  high = await makeFmp4Rendition(sandbox, 640, 360, SECONDS);
  thumbnail = path.join(sandbox, "poster.jpg");
  await ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x90", "-frames:v", "1", thumbnail]);
}, 120_000);

afterAll(async () => {
  await s3rver?.close();
  await rm(sandbox, { recursive: true, force: true });
});

const cases = backends().flatMap((backend) => (["local", "s3"] as const).map((storage) => ({ backend, storage })));

describe.each(cases)("signed HLS playback on $backend, $storage storage", ({ backend, storage }) => {
  let api: HttpTestApi;
  let owner: { id: string; headers: Record<string, string> };
  let admin: Awaited<ReturnType<typeof registerAdminOverHttp>>;

  const register = async (label: string) => {
    const session = await resultOf<{ user: { id: string }; accessToken: string }>(
      await api.post("/trpc/auth.register", { email: uniqueEmail(label), password: PASSWORD }),
    );
    return { id: session.user.id, headers: { authorization: `Bearer ${session.accessToken}` } };
  };
  const createVideo = async (headers = owner.headers) =>
    (await resultOf<{ id: string }>(await api.post("/trpc/videos.create", { title: "Playback" }, headers))).id;
  const streamableVideo = async () => {
    const id = await createVideo();
    await addRendition(api.container, id, "P720", high);
    await addRendition(api.container, id, "P360", low);
    await addThumbnail(api.container, id, thumbnail);
    return id;
  };
  const playback = async (id: string, headers = owner.headers, expiresInSeconds?: number) =>
    resultOf<Playback>(
      await api.get("/trpc/videos.playback", { id, ...(expiresInSeconds ? { expiresInSeconds } : {}) }, headers),
    );
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { errorCode?: string; data?: { errorCode: string } } }).error;
  const viewsOf = async (videoId: string) => {
    await api.container.get(PlaybackViews).settled();
    return api.container.get<Database>(DATABASE).client.playbackView.count({ where: { videoId } });
  };
  const variantUrl = (hlsUrl: string, quality: string) => hlsUrl.replace(/master\.m3u8$/, `${quality}.m3u8`);

  beforeAll(async () => {
    const env: Record<string, string> =
      storage === "s3"
        ? {
            S3_BUCKET: BUCKET,
            S3_ENDPOINT: s3Url,
            S3_FORCE_PATH_STYLE: "true",
            S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
            S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
          }
        : { LOCAL_STORAGE_DIR: path.join(sandbox, `objects-${backend}`) };
    api = await startHttpApi(backend, env);
    owner = await register("viewer-owner");
    admin = await registerAdminOverHttp(api, "playback-admin");
  }, 60_000);
  afterAll(() => api?.close());

  it("is 422 PLAYBACK_NOT_READY until a rendition streams, 404 for someone else's video, allowed to admins and videos:read keys", async () => {
    const id = await createVideo();
    const before = await api.get("/trpc/videos.playback", { id }, owner.headers);
    expect(before.status).toBe(422);
    expect((await errorOf(before)).data?.errorCode).toBe("PLAYBACK_NOT_READY");
    // An MP4-only rendition downloads but does not stream.
    await addRendition(api.container, id, "P360", { file: low.file, width: 320, height: 180, hls: null });
    expect((await api.get("/trpc/videos.playback", { id }, owner.headers)).status).toBe(422);
    await addRendition(api.container, id, "P720", high);

    const mine = await playback(id);
    expect(mine.renditions.map((rendition) => rendition.quality)).toEqual(["P360", "P720"]);
    const stranger = await register("stranger");
    const theirs = await api.get("/trpc/videos.playback", { id }, stranger.headers);
    expect(theirs.status).toBe(404);
    expect((await errorOf(theirs)).data?.errorCode).toBe("VIDEO_NOT_FOUND");
    expect((await playback(id, admin.headers)).renditions).toHaveLength(2);

    const key = async (scopes: string[]) =>
      (await resultOf<{ key: string }>(await api.post("/trpc/apiKeys.create", { name: scopes.join(" "), scopes }, owner.headers)))
        .key;
    expect((await playback(id, { authorization: `ApiKey ${await key(["videos:read"])}` })).hlsUrl).toContain("/play/");
    const writerOnly = await api.get("/trpc/videos.playback", { id }, { authorization: `ApiKey ${await key(["videos:write"])}` });
    expect(writerOnly.status).toBe(403);
    expect((await errorOf(writerOnly)).data?.errorCode).toBe("API_KEY_SCOPE_MISSING");
    for (const expiresInSeconds of [59, 604_801]) {
      expect((await api.get("/trpc/videos.playback", { id, expiresInSeconds }, owner.headers)).status).toBe(400);
    }
  });

  it("answers an HLS URL with its expiry, a poster and an MP4 per rendition, lowest first", async () => {
    const id = await streamableVideo();
    const before = Date.now();
    const answer = await playback(id, owner.headers, 600);
    expect(answer.hlsUrl).toMatch(new RegExp(`^${api.url}/play/[A-Za-z0-9_-]{66}/master\\.m3u8$`));
    const expiresAt = new Date(answer.expiresAt).getTime();
    expect(expiresAt % 1000).toBe(0);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(answer.renditions).toEqual([
      expect.objectContaining({ quality: "P360", width: 320, height: 180 }),
      expect.objectContaining({ quality: "P720", width: 640, height: 360 }),
    ]);
    const poster = await fetch(answer.posterUrl ?? "");
    expect(poster.status).toBe(200);
    expect(Buffer.from(await poster.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it(
    "serves master and variant playlists a real client (ffprobe over HTTP) decodes, every variant at its size and length",
    { timeout: 120_000 },
    async () => {
      const id = await streamableVideo();
      const { hlsUrl } = await playback(id);
      const master = JSON.parse(await ffprobe(["-show_entries", "stream=codec_type,width,height", "-of", "json", hlsUrl])) as {
        streams: { codec_type: string; width?: number; height?: number }[];
      };
      const sizes = master.streams
        .filter((stream) => stream.codec_type === "video")
        .map((stream) => `${stream.width}x${stream.height}`);
      expect(sizes.sort()).toEqual(["320x180", "640x360"]);
      for (const [quality, rendition] of [
        ["P360", low],
        ["P720", high],
      ] as const) {
        const probed = JSON.parse(
          await ffprobe([
            ...["-count_frames", "-show_entries", "stream=codec_type,width,height,nb_read_frames:format=duration", "-of", "json"],
            variantUrl(hlsUrl, quality),
          ]),
        ) as {
          streams: { codec_type: string; width?: number; height?: number; nb_read_frames?: string }[];
          format: { duration: string };
        };
        const video = probed.streams.find((stream) => stream.codec_type === "video");
        expect(video).toMatchObject({ width: rendition.width, height: rendition.height, nb_read_frames: String(SECONDS * 25) });
        expect(probed.streams.some((stream) => stream.codec_type === "audio")).toBe(true);
        expect(Number(probed.format.duration)).toBeCloseTo(SECONDS, 0);
      }
    },
  );

  it("writes the playlists by the rules: headers, STREAM-INF attributes, EXTINF within the target duration, one media URL", async () => {
    const id = await streamableVideo();
    const answer = await playback(id);
    const masterResponse = await fetch(answer.hlsUrl, { headers: { origin: "https://player.example" } });
    expect(masterResponse.status).toBe(200);
    for (const response of [masterResponse]) {
      expect(response.headers.get("content-type")).toContain(MPEGURL);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    }
    const head = await fetch(answer.hlsUrl, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toContain(MPEGURL);
    const preflight = await fetch(answer.hlsUrl, {
      method: "OPTIONS",
      headers: { origin: "https://player.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
    const posted = await fetch(answer.hlsUrl, { method: "POST" });
    expect(posted.status).toBe(405);
    expect(((await posted.json()) as { error: { errorCode: string } }).error.errorCode).toBe("METHOD_NOT_ALLOWED");
    const master = await masterResponse.text();
    const lines = master.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    const streamInf = lines.filter((line) => line.startsWith("#EXT-X-STREAM-INF:"));
    expect(streamInf).toHaveLength(2);
    expect(streamInf[0]).toMatch(
      /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=320x180,FRAME-RATE=25\.000,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"$/,
    );
    expect(streamInf[1]).toContain("RESOLUTION=640x360");
    expect(lines.filter((line) => !line.startsWith("#"))).toEqual(["P360.m3u8", "P720.m3u8"]);
    for (const line of streamInf) {
      const [, peak, average] = /BANDWIDTH=(\d+),AVERAGE-BANDWIDTH=(\d+)/.exec(line) ?? [];
      expect(Number(peak)).toBeGreaterThanOrEqual(Number(average));
    }

    for (const [quality, rendition] of [
      ["P360", low],
      ["P720", high],
    ] as const) {
      const response = await fetch(variantUrl(answer.hlsUrl, quality));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(MPEGURL);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      const text = await response.text();
      const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1]);
      const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((match) => Number(match[1]));
      expect(durations).toHaveLength(rendition.hls.segments.length);
      for (const duration of durations) expect(Math.round(duration)).toBeLessThanOrEqual(target);
      expect(text).toContain("#EXT-X-PLAYLIST-TYPE:VOD\n");
      expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:0\n");
      expect(text.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
      const map = /#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/.exec(text);
      expect(map?.slice(2).map(Number)).toEqual([rendition.hls.init.length, rendition.hls.init.offset]);
      const mediaUris = new Set(text.split("\n").filter((line) => line.length > 0 && !line.startsWith("#")));
      // One signed URL of one stored object, the very object (and path) mp4Url points at.
      expect([...mediaUris]).toEqual([map?.[1]]);
      const mediaUrl = new URL(map?.[1] ?? "");
      const mp4Url = new URL(answer.renditions.find((candidate) => candidate.quality === quality)?.mp4Url ?? "");
      expect(mediaUrl.origin + mediaUrl.pathname).toBe(mp4Url.origin + mp4Url.pathname);

      const segment = rendition.hls.segments[1] ?? rendition.hls.segments[0];
      if (!segment) throw new Error("no segments");
      const ranged = await fetch(mediaUrl, {
        headers: { range: `bytes=${segment.offset}-${segment.offset + segment.length - 1}` },
      });
      expect(ranged.status).toBe(206);
      const bytes = Buffer.from(await ranged.arrayBuffer());
      const { readFile } = await import("node:fs/promises");
      const original = await readFile(rendition.file);
      expect(bytes.equals(original.subarray(segment.offset, segment.offset + segment.length))).toBe(true);
    }
  });

  it("refuses a tampered or malformed token with 403 and no stack, and a token for one video reads only that video", async () => {
    const a = await createVideo();
    await addRendition(api.container, a, "P360", low);
    const b = await streamableVideo();
    const tokenA = /\/play\/([^/]+)\//.exec((await playback(a)).hlsUrl)?.[1] ?? "";
    const tokenB = /\/play\/([^/]+)\//.exec((await playback(b)).hlsUrl)?.[1] ?? "";
    const play = (token: string, file = "master.m3u8") => fetch(`${api.url}/play/${token}/${file}`);

    expect((await play(tokenA, "P720.m3u8")).status).toBe(404);
    expect((await play(tokenB, "P720.m3u8")).status).toBe(200);
    const flip = (token: string, at: number) => {
      const character = token[at] === "A" ? "B" : "A";
      return `${token.slice(0, at)}${character}${token.slice(at + 1)}`;
    };
    // Every position, the last one (whose low bits are padding) included.
    for (const at of [0, 5, 20, 40, 65]) {
      const response = await play(flip(tokenA, at));
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = (await response.json()) as { error: { errorCode: string; message: string; correlationId: string } };
      expect(body.error.correlationId).toBe(response.headers.get("x-request-id"));
      expect(body.error.errorCode).toBe("PLAYBACK_TOKEN_INVALID");
      expect(JSON.stringify(body)).not.toContain("at ");
    }
    // A's token with B's video id spliced in (bytes 1..16) fails its MAC.
    const bytesA = Buffer.from(tokenA, "base64url");
    Buffer.from(b.replaceAll("-", ""), "hex").copy(bytesA, 1);
    expect((await play(bytesA.toString("base64url"))).status).toBe(403);
    for (const malformed of ["x", "not-a-token", `${tokenA}A`, "%00"]) {
      expect((await play(malformed)).status).toBe(403);
    }
    expect((await play(tokenA, "P999.m3u8")).status).toBe(404);
    expect((await play(tokenA, "segment.ts")).status).toBe(404);
    expect((await fetch(`${api.url}/play/${tokenA}/master.m3u8/more`)).status).toBe(404);
    expect((await fetch(`${api.url}/play/${tokenA}/master.m3u8?cache-buster=1`)).status).toBe(200);
  });

  it("counts a view once per token per 30 minutes, a new token as a new view, 20 racing fetches as one", async () => {
    const id = await streamableVideo();
    const first = (await playback(id)).hlsUrl;
    for (let fetchNumber = 0; fetchNumber < 2; fetchNumber++) expect((await fetch(first)).status).toBe(200);
    expect(await viewsOf(id)).toBe(1);
    // Variants are not sessions.
    expect((await fetch(variantUrl(first, "P360"))).status).toBe(200);
    expect(await viewsOf(id)).toBe(1);
    const second = (await playback(id)).hlsUrl;
    expect((await fetch(second)).status).toBe(200);
    expect(await viewsOf(id)).toBe(2);
    const raced = (await playback(id)).hlsUrl;
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(raced)).status));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await viewsOf(id)).toBe(3);
  });

  it("is 404 once the video is deleted", async () => {
    const id = await streamableVideo();
    const { hlsUrl } = await playback(id);
    expect((await fetch(hlsUrl)).status).toBe(200);
    expect((await api.post("/trpc/videos.delete", { id }, owner.headers)).status).toBe(200);
    const gone = await fetch(hlsUrl);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { errorCode: string } }).error.errorCode).toBe("VIDEO_NOT_FOUND");
    expect((await fetch(variantUrl(hlsUrl, "P360"))).status).toBe(404);
  });

  it("expires a token to the second: 403 PLAYBACK_TOKEN_EXPIRED once its time is past", async () => {
    const id = await streamableVideo();
    const { hlsUrl, expiresAt } = await playback(id, owner.headers, 60);
    expect((await fetch(hlsUrl)).status).toBe(200);
    api.clock.advance(new Date(expiresAt).getTime() - Date.now() - 1_000);
    expect((await fetch(variantUrl(hlsUrl, "P360"))).status).toBe(200);
    api.clock.advance(1_000);
    for (const url of [hlsUrl, variantUrl(hlsUrl, "P360")]) {
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(((await expired.json()) as { error: { errorCode: string } }).error.errorCode).toBe("PLAYBACK_TOKEN_EXPIRED");
    }
  });
});
