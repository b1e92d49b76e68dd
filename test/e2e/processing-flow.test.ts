import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReelbaseClient, createTokenStore, type ReelbaseClient } from "../../client/src/index.js";
import { probeStreams, uploadOverHttp, watchProgress, type ProgressEvent } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { queueModes, type RunningApi } from "../support/queue-modes.js";

const E2E_TIMEOUT_MS = 120_000;

const modes = queueModes("rbe2e");

const revisionsOf = (events: ProgressEvent[]) => events.map((event) => Number(event.id));

for (const mode of modes) {
  describe.runIf(mode.available)(`processing over real HTTP with ${mode.name}`, () => {
    let sandbox: string;
    let running: RunningApi;
    let client: ReelbaseClient;
    let clip: string;

    beforeAll(async () => {
      sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-processing-"));
      running = await mode.start(sandbox);
      const store = createTokenStore();
      client = createReelbaseClient({ url: running.api.url, auth: { type: "bearer", store } });
      store.set(await client.auth.register.mutate({ email: uniqueEmail("processor"), password: PASSWORD }));
      // 16:9 above the P360 box, so the rendition must be scaled down to fit it.
      clip = await makeTestVideo(sandbox, { seconds: 3, width: 960, height: 540 });
    }, E2E_TIMEOUT_MS);

    afterAll(async () => {
      await running?.stop();
      await rm(sandbox, { recursive: true, force: true });
    }, E2E_TIMEOUT_MS);

    it(
      "uploads, processes with live progress, and serves a rendition ffprobe confirms",
      async () => {
        const id = await uploadOverHttp(client, clip, "Full flow");
        const job = await client.videos.process.mutate({ id, quality: "P360" });
        expect(job).toMatchObject({ videoId: id, quality: "P360", creditsCharged: 1 });
        const events = await watchProgress(client, job.id).done;

        // The current state first (whatever the job has reached by then), then only newer states.
        expect(events.length).toBeGreaterThanOrEqual(2);
        expect(["QUEUED", "RUNNING"]).toContain(events[0]?.data.status);
        const revisions = revisionsOf(events);
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        expect(new Set(revisions).size).toBe(revisions.length);
        expect(events.some((event) => event.data.status === "RUNNING")).toBe(true);
        const running = events.filter((event) => event.data.status === "RUNNING").map((event) => event.data.progress);
        expect(running).toEqual([...running].sort((a, b) => a - b));
        expect(events.at(-1)?.data).toMatchObject({ jobId: job.id, status: "SUCCEEDED", progress: 100 });

        expect((await client.videos.get.query({ id })).status).toBe("READY");
        expect((await client.credits.balance.query()).balance).toBe(29);
        const { url } = await client.videos.downloadUrl.query({ id, kind: "rendition" });
        const download = await fetch(url);
        expect(download.status).toBe(200);
        const file = path.join(sandbox, `rendition-${job.id}.mp4`);
        await writeFile(file, new Uint8Array(await download.arrayBuffer()));
        const streams = await probeStreams(file);
        const video = streams.find((stream) => stream.codec_type === "video");
        expect(video).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
        expect(streams.find((stream) => stream.codec_type === "audio")?.codec_name).toBe("aac");
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "resumes from the last event id after a reconnect and misses nothing after it",
      async () => {
        const id = await uploadOverHttp(client, clip, "Reconnect");
        const job = await client.videos.process.mutate({ id, quality: "P360" });
        const first = (await watchProgress(client, job.id, { stopAfter: () => true }).done)[0];
        if (!first) throw new Error("no first event");
        // The precondition of the case: the client left before the job ended.
        expect(["QUEUED", "RUNNING"]).toContain(first.data.status);

        const resumed = await watchProgress(client, job.id, { lastEventId: first.id }).done;
        expect(resumed.length).toBeGreaterThanOrEqual(1);
        for (const revision of revisionsOf(resumed)) expect(revision).toBeGreaterThan(Number(first.id));
        expect(resumed.at(-1)?.data).toMatchObject({ status: "SUCCEEDED", progress: 100 });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "streams progress to an API key with jobs:read, and refuses one without it",
      async () => {
        const id = await uploadOverHttp(client, clip, "Scripted");
        const job = await client.videos.process.mutate({ id, quality: "P360" });
        const reader = await client.apiKeys.create.mutate({ name: "progress", scopes: ["jobs:read"] });
        const keyClient = createReelbaseClient({ url: running.api.url, auth: { type: "apiKey", key: reader.key } });
        const events = await watchProgress(keyClient, job.id).done;
        expect(events.at(-1)?.data).toMatchObject({ jobId: job.id, status: "SUCCEEDED" });

        const other = await client.apiKeys.create.mutate({ name: "no jobs", scopes: ["videos:read"] });
        const refusedClient = createReelbaseClient({ url: running.api.url, auth: { type: "apiKey", key: other.key } });
        const refused = await watchProgress(refusedClient, job.id, { timeoutMs: 20_000 }).done.catch((error: unknown) => error);
        // Refused before the stream opens, with the HTTP status (an EventSource cannot read the JSON
        // body that carries the errorCode; test/e2e/subscription-statuses.test.ts reads it over HTTP).
        expect(refused).toBeInstanceOf(Error);
        expect((refused as Error).message).toMatch(/\b403\b/);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "creates exactly the jobs the credits pay for under 200 concurrent calls, and never goes below zero",
      async () => {
        const store = createTokenStore();
        const racer = createReelbaseClient({ url: running.api.url, auth: { type: "bearer", store } });
        store.set(await racer.auth.register.mutate({ email: uniqueEmail("racer"), password: PASSWORD }));
        // 170 s at P720 costs ceil(2.8 min) × 2 = 6 credits: the 30 of sign-up pay for exactly 5 jobs.
        const long = await makeTestVideo(sandbox, { seconds: 170, width: 160, height: 90 });
        // Six videos: more free (video, quality) slots than credits, so the balance decides.
        const ids: string[] = [];
        for (let n = 0; n < 6; n++) ids.push(await uploadOverHttp(racer, long, `Race ${n}`));
        const answers = await Promise.allSettled(
          Array.from({ length: 200 }, (_, n) => racer.videos.process.mutate({ id: ids[n % ids.length] ?? "", quality: "P720" })),
        );
        const refusals = answers.flatMap((answer) => (answer.status === "rejected" ? [answer.reason as unknown] : []));
        expect(answers.filter((answer) => answer.status === "fulfilled")).toHaveLength(5);
        // Every other call is refused for want of credits or because its quality is active: never a 500.
        for (const refusal of refusals)
          expect([
            { errorCode: "INSUFFICIENT_CREDITS", httpStatus: 422 },
            { errorCode: "JOB_ALREADY_ACTIVE", httpStatus: 409 },
          ]).toContainEqual({
            errorCode: (refusal as { data?: { errorCode?: string } }).data?.errorCode,
            httpStatus: (refusal as { data?: { httpStatus?: number } }).data?.httpStatus,
          });
        expect((await racer.credits.balance.query()).balance).toBe(0);
        const jobs = (await racer.jobs.list.query({ limit: 100 })).items;
        expect(jobs).toHaveLength(5);
        // Long transcodes nobody waits for: cancelled (refunded) so they do not slow what follows.
        for (const job of jobs) await racer.jobs.cancel.mutate({ id: job.id });
        expect((await racer.credits.balance.query()).balance).toBe(30);
      },
      E2E_TIMEOUT_MS,
    );
  });
}
