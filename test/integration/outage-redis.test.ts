import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
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
import { freePort, killProcess, startRedis } from "../support/redis-server.js";

// A private redis-server (the cache, the event bus and the BullMQ queue all use it) that this file
// kills and starts again on the same port, with one API process running throughout. The database
// is the embedded PGlite, so only Redis goes away.
const redisAvailable = Boolean(inject("redisUrl"));

interface Job {
  id: string;
  status: string;
}
interface LedgerEntry {
  kind: string;
  amount: number;
  jobId: string | null;
}

describe.runIf(redisAvailable)("Redis outage: stopped and started again under a running API", () => {
  let sandbox: string;
  let port: number;
  let redis: ChildProcess;
  let api: HttpTestApi;
  let client: OutageClient;
  let videoId: string;
  const processFailures = watchProcessFailures();
  // BullMQ prints connection errors nobody listens to with console.error, once per reconnect attempt.
  const consoleError = vi.spyOn(console, "error");

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-outage-redis-"));
    port = await freePort();
    redis = await startRedis(port);
    api = await startHttpApi("pglite", {
      // On disk, from the template npm install prepared: much quicker to open than an in-memory initdb.
      PGLITE_DATA_DIR: path.join(sandbox, "pg"),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: `rboutage-${randomUUID().slice(0, 8)}`,
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      // The API runs the jobs too (BullMQ worker in this process), so recovery is seen end to end.
      // Housekeeping's scheduler (its own BullMQ queue) runs here too: its outage must stay as quiet.
      RUN_JOBS_IN_API: "true",
    });
    client = await signedUpClient(api);
    videoId = await uploadVideo(client, await makeTestVideo(sandbox));
    // Read once while Redis is up, so the outage meets cached entries too.
    dataOf(await client.query("videos.get", { id: videoId }));
  });

  afterAll(async () => {
    processFailures.stop();
    consoleError.mockRestore();
    await api?.close();
    if (redis) await killProcess(redis);
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  it("answers reads from the database, refuses queue-needing writes with 503 charging nothing, and reports Redis not ready", async () => {
    expect((await client.ready()).status).toBe(200);
    const balanceBefore = dataOf<{ balance: number }>(await client.query("credits.balance")).balance;

    await killProcess(redis);

    const video = dataOf<{ id: string; status: string }>(await client.query("videos.get", { id: videoId }));
    expect(video).toMatchObject({ id: videoId, status: "UPLOADED" });
    const list = dataOf<{ items: Array<{ id: string }> }>(await client.query("videos.list", { limit: 10 }));
    expect(list.items.map((item) => item.id)).toContain(videoId);
    expect(dataOf<{ id: string }>(await client.query("auth.me")).id).toBeTruthy();

    const refused = await client.mutate("videos.process", { id: videoId, quality: "P360" });
    expectFailure(refused, 503, "SERVICE_UNAVAILABLE", "DEPENDENCY_UNAVAILABLE");
    expect(refused.ms).toBeLessThan(5_000);

    // Nothing charged: the balance is as before, the job that could not be queued is CANCELLED,
    // and its charge and refund net to zero in the ledger.
    expect(dataOf<{ balance: number }>(await client.query("credits.balance")).balance).toBe(balanceBefore);
    const jobs = dataOf<{ items: Job[] }>(await client.query("jobs.list", { videoId, limit: 10 })).items;
    expect(jobs.map((job) => job.status)).toEqual(["CANCELLED"]);
    const ledger = dataOf<{ items: LedgerEntry[] }>(await client.query("credits.ledger", { limit: 50 })).items;
    const forJob = ledger.filter((entry) => entry.jobId === jobs[0]?.id);
    expect(forJob.map((entry) => entry.kind).sort()).toEqual(["CHARGE", "REFUND"]);
    expect(forJob.reduce((sum, entry) => sum + entry.amount, 0)).toBe(0);

    const ready = await client.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("unavailable");
    // Every part Redis carries, and none that it does not.
    expect(ready.body.failing?.sort()).toEqual(["cache", "event bus", "queue"]);
    expect(ready.body.checks).toMatchObject({ database: "ok", storage: "ok" });
    expect(ready.body.adapters).toEqual({
      database: "pglite",
      cache: "redis",
      storage: "local",
      "event bus": "redis",
      queue: "bullmq",
    });
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
  });

  it("recovers when Redis is back on the same port, without restarting the API", async () => {
    redis = await startRedis(port);

    await eventually(async () => expect((await client.ready()).status).toBe(200), 15_000);
    const job = dataOf<Job>(await client.mutate("videos.process", { id: videoId, quality: "P360" }));
    // The in-process worker reconnected too: the job runs to the end.
    const finished = await eventually(async () => {
      const current = dataOf<Job>(await client.query("jobs.get", { id: job.id }));
      expect(current.status).toBe("SUCCEEDED");
      return current;
    }, 30_000);
    expect(finished.id).toBe(job.id);
    expect(dataOf<{ status: string }>(await client.query("videos.get", { id: videoId })).status).toBe("READY");
  });

  it("neither crashed nor left an unhandled rejection, and said once per connection that Redis was gone and back", () => {
    expect(processFailures.failures).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
    const messages = api.logs().map((line) => `${String(line.level)} ${String(line.message)}`);
    expect(messages.join("\n")).not.toMatch(/unhandled/i);
    for (const part of ["job queue", "queue worker"]) {
      expect(messages.filter((message) => message.startsWith(`warn ${part}`))).toHaveLength(1);
      expect(messages).toContain(`info ${part}: Redis reachable again`);
    }
  });
});
