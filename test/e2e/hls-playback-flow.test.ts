import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient } from "../../client/src/index.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import { uploadOverHttp, watchProgress } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { startHttpApi } from "../support/http-api.js";
import { queueModes, type QueueMode, type RunningApi } from "../support/queue-modes.js";
import { S3RVER_CREDENTIALS, startS3rver } from "../support/s3-server.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

const E2E_TIMEOUT_MS = 180_000;
const SECONDS = 5;
const run = promisify(execFile);
const { ffprobePath, ffmpegPath } = resolveMediaBinaries({
  ffprobePath: process.env.FFPROBE_PATH,
  ffmpegPath: process.env.FFMPEG_PATH,
});

interface Probed {
  streams: { codec_type: string; width?: number; height?: number }[];
  format: { duration?: string };
}

async function probe(url: string): Promise<Probed> {
  const { stdout } = await run(ffprobePath, [
    ...["-v", "error", "-show_entries", "stream=codec_type,width,height:format=duration", "-of", "json", url],
  ]);
  return JSON.parse(stdout) as Probed;
}

/** The URIs a playlist names (every line that is not a tag), and those inside #EXT-X-MAP. */
function urisOf(playlist: string): string[] {
  const lines = playlist.split("\n").map((line) => line.trim());
  const maps = lines.flatMap((line) => /^#EXT-X-MAP:URI="([^"]+)"/.exec(line)?.[1] ?? []);
  return [...maps, ...lines.filter((line) => line && !line.startsWith("#"))];
}

/** The embedded queue again, with the objects on an S3-protocol server: the encode reads a presigned GET. */
const onS3: QueueMode = {
  name: "the embedded queue and S3 (s3rver)",
  available: true,
  start: async (sandbox) => {
    const s3 = await startS3rver(path.join(sandbox, "s3"), "reelbase-hls");
    const api = await startHttpApi("pglite", {
      S3_BUCKET: "reelbase-hls",
      S3_ENDPOINT: s3.url,
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    return {
      api,
      workerOutput: null,
      stop: async () => {
        await api.close();
        await s3.server.close();
      },
    };
  },
};

const modes = [...queueModes("rbhls"), onS3];

for (const mode of modes) {
  describe.runIf(mode.available)(`HLS playback through the client package with ${mode.name}`, () => {
    let sandbox: string;
    let running: RunningApi;
    let client: ReelbaseClient;
    let videoId: string;

    beforeAll(async () => {
      sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-hls-"));
      running = await mode.start(sandbox);
      const store = createTokenStore();
      client = createReelbaseClient({ url: running.api.url, auth: { type: "bearer", store } });
      store.set(await client.auth.register.mutate({ email: uniqueEmail("viewer"), password: PASSWORD }));
      const clip = await makeTestVideo(sandbox, { seconds: SECONDS, width: 1280, height: 720 });
      videoId = await uploadOverHttp(client, clip, "Ladder");
      await expect(client.videos.playback.query({ id: videoId })).rejects.toMatchObject({
        data: { errorCode: "PLAYBACK_NOT_READY", httpStatus: 422 },
      });
      // A FREE account's ladder: every rung up to P720, one job each.
      const { jobs } = await client.videos.processLadder.mutate({ id: videoId });
      expect(jobs.map((job) => job.quality)).toEqual(["P360", "P720"]);
      const ends = await Promise.all(jobs.map((job) => watchProgress(client, job.id, { timeoutMs: 150_000 }).done));
      for (const events of ends) expect(events.at(-1)?.data.status).toBe("SUCCEEDED");
    }, E2E_TIMEOUT_MS);

    afterAll(async () => {
      await running?.stop();
      await rm(sandbox, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    it(
      "a real client decodes every variant at its size and length, over the one object the MP4 download is",
      async () => {
        const playback = await client.videos.playback.query({ id: videoId });
        expect(playback.renditions.map((rendition) => [rendition.quality, rendition.width, rendition.height])).toEqual([
          ["P360", 640, 360],
          ["P720", 1280, 720],
        ]);
        const master = await fetch(playback.hlsUrl);
        expect(master.status).toBe(200);
        expect(master.headers.get("content-type")).toContain("application/vnd.apple.mpegurl");
        expect(master.headers.get("cache-control")).toBe("private, no-store");
        const variants = urisOf(await master.text());
        expect(variants).toEqual(["P360.m3u8", "P720.m3u8"]);

        for (const rendition of playback.renditions) {
          const variantUrl = new URL(`${rendition.quality}.m3u8`, playback.hlsUrl).toString();
          const probed = await probe(variantUrl);
          expect(probed.streams.find((stream) => stream.codec_type === "video")).toMatchObject({
            width: rendition.width,
            height: rendition.height,
          });
          expect(probed.streams.some((stream) => stream.codec_type === "audio")).toBe(true);
          expect(Number(probed.format.duration)).toBeCloseTo(SECONDS, 0);
          // Decoded to the end: every segment is fetched by range and is valid media.
          await run(ffmpegPath, ["-v", "error", "-i", variantUrl, "-f", "null", "-"]);

          const media = urisOf(await (await fetch(variantUrl)).text());
          expect(new Set(media.map((uri) => new URL(uri).pathname))).toEqual(new Set([new URL(rendition.mp4Url).pathname]));
          const download = await fetch(rendition.mp4Url, { headers: { range: "bytes=0-7" } });
          expect(download.headers.get("content-range")).toMatch(/^bytes 0-7\//);
          expect(download.status).toBe(206);
          expect(
            Buffer.from(await download.arrayBuffer())
              .subarray(4, 8)
              .toString("latin1"),
          ).toBe("ftyp");
        }
        expect((await fetch(playback.posterUrl!)).headers.get("content-type")).toContain("image/jpeg");
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "counts a session once however often its master is fetched, a new session again, and refuses a tampered token",
      async () => {
        const before = (await client.videos.analytics.query({ id: videoId })).total;
        const first = await client.videos.playback.query({ id: videoId, expiresInSeconds: 120 });
        for (let fetches = 0; fetches < 3; fetches++) expect((await fetch(first.hlsUrl)).status).toBe(200);
        const second = await client.videos.playback.query({ id: videoId });
        expect((await fetch(second.hlsUrl)).status).toBe(200);
        // Counting runs after the answer: give it a moment, boundedly.
        let total = before;
        for (let attempt = 0; attempt < 50 && total < before + 2; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          total = (await client.videos.analytics.query({ id: videoId })).total;
        }
        expect(total).toBe(before + 2);
        const analytics = await client.videos.analytics.query({ id: videoId });
        const today = new Date().toISOString().slice(0, 10);
        expect(analytics.days.find((day) => day.day === today)?.views).toBe(total);

        const token = new URL(first.hlsUrl).pathname.split("/")[2]!;
        const flipped = `${token.slice(0, 10)}${token[10] === "A" ? "B" : "A"}${token.slice(11)}`;
        const tampered = await fetch(first.hlsUrl.replace(token, flipped));
        expect(tampered.status).toBe(403);
        expect(await tampered.json()).toMatchObject({ error: { errorCode: "PLAYBACK_TOKEN_INVALID" } });
      },
      E2E_TIMEOUT_MS,
    );
  });
}
