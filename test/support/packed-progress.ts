import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { createReelbaseClient, createTokenStore, type RouterOutputs } from "../../client/src/index.js";
import { startHttpApi, type HttpTestApi } from "./http-api.js";
import { uploadOverHttp, type ProgressEvent } from "./http-processing.js";
import { makeTestVideo } from "./media-fixtures.js";
import { PASSWORD, uniqueEmail } from "./users.js";

/** What the script prints: each stream's events, and whether the server ended it (onComplete). */
export interface StreamResult {
  events: ProgressEvent[];
  completed: boolean;
}
export interface PackedProgressOutput {
  job: RouterOutputs["videos"]["process"];
  bearer: StreamResult;
  apiKey: StreamResult;
}

/**
 * Runs in the outside project, so `@reelbase/client` is the installed tarball. A stream is done
 * on onComplete, or (a short grace after) a terminal state; `completed` says which it was.
 */
export const PROGRESS_SCRIPT = `
import { createReelbaseClient, createTokenStore } from "@reelbase/client";

const { API_URL, SESSION, VIDEO_ID, API_KEY } = process.env;
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

function collect(client, id, timeoutMs) {
  return new Promise((resolve, reject) => {
    const events = [];
    let grace;
    const end = (completed) => {
      clearTimeout(timer);
      clearTimeout(grace);
      subscription.unsubscribe();
      resolve({ events, completed });
    };
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error("no end of the stream in " + timeoutMs + " ms: " + JSON.stringify(events)));
    }, timeoutMs);
    const subscription = client.jobs.onProgress.subscribe({ id }, {
      onData: (envelope) => {
        events.push({ id: envelope.id, data: envelope.data });
        if (TERMINAL.has(envelope.data.status)) grace = setTimeout(() => end(false), 5000);
      },
      onError: (error) => {
        clearTimeout(timer);
        clearTimeout(grace);
        subscription.unsubscribe();
        reject(error);
      },
      onComplete: () => end(true),
    });
  });
}

const tokens = createTokenStore();
tokens.set(JSON.parse(SESSION));
const user = createReelbaseClient({ url: API_URL, auth: { type: "bearer", store: tokens } });
const job = await user.videos.process.mutate({ id: VIDEO_ID, quality: "P360" });
const bearer = await collect(user, job.id, 120000);

const script = createReelbaseClient({ url: API_URL, auth: { type: "apiKey", key: API_KEY } });
const apiKey = await collect(script, job.id, 30000);

console.log(JSON.stringify({ job, bearer, apiKey }));
`;

export interface ProgressFixture {
  api: HttpTestApi;
  /** The environment the script reads. */
  env: Record<string, string>;
}

/** The real API (embedded queue, local storage under `sandbox`), a user with an uploaded video, and an API key. */
export async function prepareProgressFixture(sandbox: string): Promise<ProgressFixture> {
  const api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: await mkdtemp(path.join(sandbox, "objects-")) });
  try {
    const tokens = createTokenStore();
    const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store: tokens } });
    const session = await client.auth.register.mutate({ email: uniqueEmail("packed"), password: PASSWORD });
    tokens.set(session);
    const clip = await makeTestVideo(sandbox, { seconds: 2, width: 320, height: 180 });
    const videoId = await uploadOverHttp(client, clip, "Packed client");
    const { key } = await client.apiKeys.create.mutate({
      name: "packed script",
      scopes: ["videos:read", "videos:write", "jobs:read"],
    });
    const { accessToken, refreshToken, accessTokenExpiresAt } = session;
    const env = {
      API_URL: api.url,
      SESSION: JSON.stringify({ accessToken, refreshToken, accessTokenExpiresAt }),
      VIDEO_ID: videoId,
      API_KEY: key,
    };
    return { api, env };
  } catch (error) {
    await api.close();
    throw error;
  }
}
