import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { uploadOverHttp } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { signUpOverHttp } from "../support/users.js";

/**
 * jobs.onProgress over real HTTP checks its input, its caller and the job before any stream opens:
 * a refusal is an HTTP error in the usual JSON shape (an EventSource does not reconnect to it),
 * and only an accepted call is a 200 event stream.
 */
interface ErrorBody {
  error: { data: { httpStatus: number; errorCode: string; correlationId: string; path: string } };
}

describe("jobs.onProgress answers with HTTP statuses", () => {
  let api: HttpTestApi;
  let sandbox: string;
  let jobId: string;
  let owner: Record<string, string>;
  let stranger: Record<string, string>;

  const open = (input: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/trpc/jobs.onProgress?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: { accept: "text/event-stream", ...headers },
    });

  const signUp = (label: string) => signUpOverHttp(api.url, label);

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-sse-status-"));
    api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: path.join(sandbox, "objects") });
    const source = await makeTestVideo(sandbox);
    const alice = await signUp("alice");
    owner = alice.auth;
    stranger = (await signUp("mallory")).auth;
    const videoId = await uploadOverHttp(alice.client, source);
    jobId = (await alice.client.videos.process.mutate({ id: videoId, quality: "P360" })).id;
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  async function expectError(response: Response, status: number, errorCode: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as ErrorBody;
    expect(body.error.data).toMatchObject({ httpStatus: status, errorCode, path: "jobs.onProgress" });
    expect(body.error.data.correlationId).toBe(response.headers.get("x-request-id"));
  }

  it("no credentials: 401", async () => {
    await expectError(await open({ id: jobId }), 401, "UNAUTHENTICATED");
  });

  it("a malformed id: 400", async () => {
    await expectError(await open({ id: "not-a-job-id" }, owner), 400, "VALIDATION_FAILED");
  });

  it("someone else's job: 404", async () => {
    await expectError(await open({ id: jobId }, stranger), 404, "JOB_NOT_FOUND");
  });

  it("one's own job: 200 and an event stream that starts with the job's state", async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/trpc/jobs.onProgress?input=${encodeURIComponent(JSON.stringify({ id: jobId }))}`, {
      headers: owner,
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while (!text.includes(`"jobId":"${jobId}"`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain(`"jobId":"${jobId}"`);
  });
});
