import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import type { HttpTestApi } from "./http-api.js";
import { PASSWORD, uniqueEmail } from "./users.js";

/** What a client sees of one tRPC call over HTTP: the status and the parsed body. */
export interface Answer {
  status: number;
  body: {
    result?: { data?: unknown };
    error?: { message: string; code: number; data: { code: string; httpStatus: number; errorCode: string; stack?: unknown } };
  };
  /** Milliseconds from sending the request to the whole body. */
  ms: number;
}

async function answer(response: Promise<Response>): Promise<Answer> {
  const started = performance.now();
  const res = await response;
  const text = await res.text();
  let body: Answer["body"];
  try {
    body = JSON.parse(text) as Answer["body"];
  } catch {
    throw new Error(`not JSON (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, ms: performance.now() - started };
}

export interface OutageClient {
  bearer: { authorization: string };
  query(path: string, input?: unknown): Promise<Answer>;
  mutate(path: string, input: unknown): Promise<Answer>;
  /** GET /health/ready: the status and the parsed report. */
  ready(): Promise<{
    status: number;
    body: { status: string; failing?: string[]; checks: Record<string, string>; adapters?: Record<string, string> };
  }>;
}

/** A registered user of `api`, calling it as a client would. */
export async function signedUpClient(api: HttpTestApi): Promise<OutageClient> {
  const registered = await answer(api.post("/trpc/auth.register", { email: uniqueEmail("outage"), password: PASSWORD }));
  expect(registered.status).toBe(200);
  const token = (registered.body.result?.data as { accessToken: string }).accessToken;
  const bearer = { authorization: `Bearer ${token}` };
  return {
    bearer,
    query: (path, input) => answer(api.get(`/trpc/${path}`, input, bearer)),
    mutate: (path, input) => answer(api.post(`/trpc/${path}`, input, bearer)),
    ready: async () => {
      const res = await fetch(`${api.url}/health/ready`);
      return { status: res.status, body: (await res.json()) as Awaited<ReturnType<OutageClient["ready"]>>["body"] };
    },
  };
}

/** The data of a successful call; fails the test with the error otherwise. */
export function dataOf<T>(reply: Answer): T {
  expect(reply.status, JSON.stringify(reply.body.error)).toBe(200);
  return reply.body.result?.data as T;
}

/** A failure in our error shape with this HTTP status, tRPC code and errorCode, and no stack. */
export function expectFailure(reply: Answer, status: number, code: string, errorCode?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error?.data).toMatchObject({ httpStatus: status, code, ...(errorCode ? { errorCode } : {}) });
  expect(reply.body.error?.data.stack).toBeUndefined();
  expect(reply.body.error?.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.ts:\d+/);
}

/** createUpload, PUT the bytes where it says, completeUpload: the video is UPLOADED. */
export async function uploadVideo(client: OutageClient, file: string): Promise<string> {
  const bytes = await readFile(file);
  const video = dataOf<{ id: string }>(await client.mutate("videos.create", { title: "Outage clip" }));
  const upload = dataOf<{ uploadUrl: string; method: string; headers: Record<string, string> }>(
    await client.mutate("videos.createUpload", {
      id: video.id,
      filename: "clip.mp4",
      contentType: "video/mp4",
      sizeBytes: bytes.byteLength,
    }),
  );
  const put = await fetch(upload.uploadUrl, { method: upload.method, headers: upload.headers, body: bytes });
  expect(put.ok, `PUT answered ${put.status}`).toBe(true);
  const done = dataOf<{ status: string }>(await client.mutate("videos.completeUpload", { id: video.id }));
  expect(done.status).toBe("UPLOADED");
  return video.id;
}

/** Records unhandled rejections and uncaught exceptions in this process while a suite runs. */
export function watchProcessFailures(): { failures: unknown[]; stop(): void } {
  const failures: unknown[] = [];
  const record = (error: unknown) => failures.push(error);
  process.on("unhandledRejection", record);
  process.on("uncaughtException", record);
  return {
    failures,
    stop: () => {
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
    },
  };
}

/** Polls `check` until it passes or `timeoutMs` is over (then throws its last failure). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
