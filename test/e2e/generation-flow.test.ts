import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient } from "../../client/src/index.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";
import { watchProgress } from "../support/http-processing.js";
import { ffprobeJson } from "../support/media-inspection.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { queueModes, type RunningApi } from "../support/queue-modes.js";

const E2E_TIMEOUT_MS = 180_000;

const ONE_SENTENCE = "Hello from Reelbase.";
const THREE_SENTENCES =
  "Hello from Reelbase. This video was made from a script on this machine. Every sentence is spoken and shown as a caption.";
const FOUR_SENTENCES =
  "Reelbase turns a written script into a finished video. Each sentence is read aloud by a synthetic voice. " +
  "While a sentence plays, its words are drawn on the screen as a caption. " +
  "When the last sentence ends, the video is stored, transcoded and ready to download.";

const modes = queueModes("rbgen");

const { ffmpegPath } = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });

/** ffmpeg's stderr and stdout at its info level (filters such as volumedetect report there). */
function ffmpegReport(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fullArgs = ["-hide_banner", "-nostdin", "-loglevel", "info", ...args];
    execFile(ffmpegPath, fullArgs, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffmpeg ${args.join(" ")} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve({ stdout, stderr });
    });
  });
}

/** The audio's mean volume in dB (volumedetect); digital silence is -91 dB. */
async function meanVolumeDb(file: string): Promise<number> {
  const { stderr } = await ffmpegReport(["-i", file, "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"]);
  const match = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match?.[1]) throw new Error(`no mean_volume in:\n${stderr}`);
  return match[1] === "-inf" ? Number.NEGATIVE_INFINITY : Number(match[1]);
}

/** The luma range (YMAX − YMIN) of one frame a second: a flat colour has (almost) none. */
async function lumaRanges(file: string): Promise<number[]> {
  const { stdout } = await ffmpegReport([
    ...["-i", file, "-map", "0:v", "-vf", "fps=1,signalstats,metadata=mode=print:file=-", "-f", "null", "-"],
  ]);
  const max = [...stdout.matchAll(/lavfi\.signalstats\.YMAX=(\d+)/g)].map((match) => Number(match[1]));
  const min = [...stdout.matchAll(/lavfi\.signalstats\.YMIN=(\d+)/g)].map((match) => Number(match[1]));
  if (max.length === 0 || max.length !== min.length) throw new Error(`no signalstats in:\n${stdout}`);
  return max.map((value, index) => value - (min[index] ?? value));
}

for (const mode of modes) {
  describe.runIf(mode.available)(`generation over real HTTP with ${mode.name}`, () => {
    let sandbox: string;
    let running: RunningApi;
    let client: ReelbaseClient;
    let threeSentenceSeconds = 0;

    beforeAll(async () => {
      sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-generation-"));
      running = await mode.start(sandbox);
      const store = createTokenStore();
      client = createReelbaseClient({ url: running.api.url, auth: { type: "bearer", store } });
      store.set(await client.auth.register.mutate({ email: uniqueEmail("generator"), password: PASSWORD }));
    }, E2E_TIMEOUT_MS);

    afterAll(async () => {
      await running?.stop();
      await rm(sandbox, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    /** Generates `script` at P360, follows its progress to the end and downloads the rendition. */
    async function generate(script: string, title: string) {
      const { video, job } = await client.videos.generate.mutate({ title, script, quality: "P360" });
      expect(job).toMatchObject({ type: "GENERATE", videoId: video.id, creditsCharged: 5, run: 1 });
      const events = await watchProgress(client, job.id, { timeoutMs: 150_000 }).done;
      const { url } = await client.videos.downloadUrl.query({ id: video.id, kind: "rendition", quality: "P360" });
      const download = await fetch(url);
      expect(download.status).toBe(200);
      const file = path.join(sandbox, `rendition-${job.id}.mp4`);
      await writeFile(file, new Uint8Array(await download.arrayBuffer()));
      const probed = await ffprobeJson(file);
      return { video, job, events, file, probed, seconds: Number(probed.format.duration) };
    }

    it(
      "turns a script into a video with live progress: H.264 + AAC, spoken, captioned",
      async () => {
        const { video, job, events, file, probed, seconds } = await generate(THREE_SENTENCES, "Three sentences");

        expect(events.at(-1)?.data).toMatchObject({ jobId: job.id, status: "SUCCEEDED", progress: 100 });
        const revisions = events.map((event) => Number(event.id));
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        const progress = events.map((event) => event.data.progress);
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
        // Progress was reported while the job ran, not only 0 then 100 at its end. (How many steps a
        // watcher sees depends on the machine's speed: progress is written at most a few times a second.)
        const runningProgress = events.filter((event) => event.data.status === "RUNNING").map((event) => event.data.progress);
        expect(runningProgress.filter((value) => value > 0 && value < 100).length).toBeGreaterThanOrEqual(1);

        expect(await client.videos.get.query({ id: video.id })).toMatchObject({
          status: "READY",
          videoCodec: "h264",
          audioCodec: "aac",
          width: 640,
          height: 360,
        });
        expect((await client.credits.balance.query()).balance).toBe(25);

        const videoStreams = probed.streams.filter((stream) => stream.codec_type === "video");
        const audioStreams = probed.streams.filter((stream) => stream.codec_type === "audio");
        expect(videoStreams).toEqual([expect.objectContaining({ codec_name: "h264", width: 640, height: 360 })]);
        expect(audioStreams).toEqual([expect.objectContaining({ codec_name: "aac" })]);
        expect(seconds).toBeGreaterThan(3);
        threeSentenceSeconds = seconds;

        expect(await meanVolumeDb(file)).toBeGreaterThan(-60);
        const ranges = await lumaRanges(file);
        // Captions are on screen while speech plays: most frames are not a flat colour.
        expect(ranges.filter((range) => range > 30).length).toBeGreaterThanOrEqual(Math.ceil(ranges.length / 2));

        if (running.workerOutput) {
          // BullMQ: the generation ran in the worker process, and the API only queued it.
          const workerOutput = running.workerOutput;
          await expect.poll(() => workerOutput().includes(job.id), { timeout: 10_000 }).toBe(true);
          expect(workerOutput()).toMatch(/generation finished/);
          expect(running.api.rawLogs()).not.toMatch(/generation finished|generation did not finish/);
        } else {
          expect(running.api.rawLogs()).toMatch(/generation finished/);
        }
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "makes a longer video of a longer script",
      async () => {
        const before = (await client.credits.balance.query()).balance;
        const [short, long] = await Promise.all([
          generate(ONE_SENTENCE, "One sentence"),
          generate(FOUR_SENTENCES, "Four sentences"),
        ]);
        for (const result of [short, long]) {
          expect(result.events.at(-1)?.data).toMatchObject({ status: "SUCCEEDED", progress: 100 });
          expect(result.probed.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual([
            "audio:aac",
            "video:h264",
          ]);
          expect(await meanVolumeDb(result.file)).toBeGreaterThan(-60);
        }
        expect(short.seconds).toBeGreaterThan(0.5);
        expect(long.seconds).toBeGreaterThan(short.seconds * 3);
        expect(long.seconds - short.seconds).toBeGreaterThan(5);
        if (threeSentenceSeconds > 0) {
          expect(threeSentenceSeconds).toBeGreaterThan(short.seconds);
          expect(threeSentenceSeconds).toBeLessThan(long.seconds);
        }
        // The API's own probe of the generated source agrees with ours on the rendition.
        const stored = await client.videos.get.query({ id: long.video.id });
        expect(stored.durationSeconds).toBeCloseTo(long.seconds, 0);
        expect((await client.credits.balance.query()).balance).toBe(before - 10);
      },
      E2E_TIMEOUT_MS,
    );
  });
}
