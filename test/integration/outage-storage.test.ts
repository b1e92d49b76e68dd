import { once } from "node:events";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_STORAGE_RESILIENCE } from "../../server/src/storage/storage-resilience.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import {
  dataOf,
  eventually,
  expectFailure,
  signedUpClient,
  uploadVideo,
  watchProcessFailures,
  type OutageClient,
} from "../support/outage.js";
import { S3RVER_CREDENTIALS, startS3rver } from "../support/s3-server.js";

// s3rver (a real S3-protocol server) stopped and started again on its port under one running API
// on the production resilience defaults: 3 attempts a call, the circuit opens after 5 consecutive
// transient failures and lets a trial call through 10 s later.
const BUCKET = "reelbase-outage";
const { halfOpenAfterMs, timeoutMs } = DEFAULT_STORAGE_RESILIENCE;

/** Accepts connections and never answers: a storage that hangs instead of refusing. */
async function blackHole(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  }).listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("Storage outage: s3rver stopped and started again under a running API", () => {
  let sandbox: string;
  let s3rver: S3rver;
  let port: number;
  let api: HttpTestApi;
  let client: OutageClient;
  let pendingVideoId: string;
  let openedAt = 0;
  const processFailures = watchProcessFailures();

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-outage-s3-"));
    const started = await startS3rver(path.join(sandbox, "s3rver"), BUCKET);
    s3rver = started.server;
    port = Number(new URL(started.url).port);
    api = await startHttpApi("pglite", {
      // On disk, from the template npm install prepared: much quicker to open than an in-memory initdb.
      PGLITE_DATA_DIR: path.join(sandbox, "pg"),
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: started.url,
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    client = await signedUpClient(api);
    const file = await makeTestVideo(sandbox);
    await uploadVideo(client, file);
    // A second upload whose bytes are stored but not yet completed: completeUpload reads storage.
    const bytes = await readFile(file);
    pendingVideoId = dataOf<{ id: string }>(await client.mutate("videos.create", { title: "Pending" })).id;
    const upload = dataOf<{ uploadUrl: string; method: string; headers: Record<string, string> }>(
      await client.mutate("videos.createUpload", {
        id: pendingVideoId,
        filename: "clip.mp4",
        contentType: "video/mp4",
        sizeBytes: bytes.byteLength,
      }),
    );
    expect((await fetch(upload.uploadUrl, { method: upload.method, headers: upload.headers, body: bytes })).ok).toBe(true);
  });

  afterAll(async () => {
    processFailures.stop();
    await api?.close();
    await s3rver?.close().catch(() => undefined);
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  it("fails upload completion with clear 502/503 errors, then fails fast once the circuit is open, and reports storage not ready", async () => {
    expect((await client.ready()).status).toBe(200);
    await s3rver.close();

    // Each call makes up to 3 attempts, each refused at once; the 5th failure opens the circuit.
    const replies = [];
    for (let call = 0; call < 3; call++) replies.push(await client.mutate("videos.completeUpload", { id: pendingVideoId }));
    openedAt = Date.now();
    expectFailure(replies[0]!, 502, "BAD_GATEWAY", "STORAGE_FAILED");
    for (const reply of replies.slice(1)) expectFailure(reply, 503, "SERVICE_UNAVAILABLE", "STORAGE_UNAVAILABLE");
    for (const reply of replies) expect(reply.body.error?.message).not.toMatch(new RegExp(`${BUCKET}|${port}`));

    // Now storage hangs instead of refusing: a call that reached it would wait the timeout (10 s)
    // per attempt. With the circuit open nothing reaches it.
    const hole = await blackHole(port);
    try {
      const fast = await client.mutate("videos.completeUpload", { id: pendingVideoId });
      expectFailure(fast, 503, "SERVICE_UNAVAILABLE", "STORAGE_UNAVAILABLE");
      expect(fast.ms).toBeLessThan(500);
      expect(fast.ms).toBeLessThan(timeoutMs / 10);

      const started = performance.now();
      const ready = await client.ready();
      expect(performance.now() - started).toBeLessThan(500);
      expect(ready.status).toBe(503);
      expect(ready.body.failing).toEqual(["storage"]);
      expect(ready.body.checks).toMatchObject({ database: "ok" });
      expect(ready.body.adapters).toMatchObject({ storage: "s3" });
      expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    } finally {
      await hole.close();
    }

    // The database still answers: reads and the video's state are untouched.
    expect(dataOf<{ status: string }>(await client.query("videos.get", { id: pendingVideoId })).status).toBe("UPLOADING");
    expect(dataOf<{ items: unknown[] }>(await client.query("videos.list", { limit: 10 })).items).toHaveLength(2);
    expect(
      api.logs().some((line) => line.message === "object storage circuit opened: calls fail fast until a trial call succeeds"),
    ).toBe(true);
  });

  it("lets a trial call through after the half-open delay once s3rver is back on its port, and the upload completes", async () => {
    s3rver = (await startS3rver(path.join(sandbox, "s3rver"), BUCKET, port)).server;

    const done = await eventually(
      async () => dataOf<{ status: string }>(await client.mutate("videos.completeUpload", { id: pendingVideoId })),
      halfOpenAfterMs + 10_000,
      250,
    );
    expect(done.status).toBe("UPLOADED");
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(halfOpenAfterMs - 1_000);
    expect((await client.ready()).status).toBe(200);
    expect(api.logs().some((line) => line.message === "object storage circuit closed")).toBe(true);
  });

  it("neither crashed nor left an unhandled rejection, and logged no 500", () => {
    expect(processFailures.failures).toEqual([]);
    const statuses = api
      .logs()
      .map((line) => line.status)
      .filter((status) => typeof status === "number");
    expect(statuses).not.toContain(500);
  });
});
