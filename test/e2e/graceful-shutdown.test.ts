import { randomUUID } from "node:crypto";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createReelbaseClient, createTokenStore } from "../../client/src/index.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import { uploadOverHttp } from "../support/http-processing.js";
import { openEventStream, runLoad, type LoadResult } from "../support/load.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { createScratchDatabase, withPgClient, type ScratchDatabase } from "../support/services.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { processesMatching, startWorker, type WorkerProcess } from "../support/worker-process.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
const SUITE_TIMEOUT_MS = 150_000;
const SHUTDOWN_TIMEOUT_MS = 8_000;
const CLIENTS = 50;

interface JobRow {
  status: string;
  attempts: number;
  progress: number;
}

/** The job's row, read straight from the database: the API processes may all be gone. */
function jobRow(databaseUrl: string, id: string): Promise<JobRow | undefined> {
  return withPgClient(databaseUrl, async (client) => {
    const { rows } = await client.query<JobRow>("SELECT status, attempts, progress FROM jobs WHERE id = $1", [id]);
    return rows[0];
  });
}

async function waitForRow(databaseUrl: string, id: string, done: (row: JobRow) => boolean, timeoutMs: number): Promise<JobRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await jobRow(databaseUrl, id);
    if (row && done(row)) return row;
    if (Date.now() > deadline) throw new Error(`job ${id} never got there: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ProbeAnswer {
  path: string;
  sentAt: number;
  status: number;
  connection: string | undefined;
  body: string;
}

/**
 * `clients` loops asking `path` back to back over keep-alive connections (as a load balancer's
 * health checker does), keeping each answer's body; refused connections are retried after a pause.
 */
function probe(base: string, path: string, clients: number) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const answers: ProbeAnswer[] = [];
  let running = true;
  const once = () =>
    new Promise<ProbeAnswer | null>((resolve) => {
      const sentAt = performance.now();
      const req = http.get({ host: url.hostname, port: url.port, path, agent, timeout: 15_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.once("end", () => resolve({ path, sentAt, status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        res.once("error", () => resolve(null));
      });
      req.once("timeout", () => req.destroy());
      req.once("error", () => resolve(null));
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const answer = await once();
      if (answer) answers.push(answer);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

/** `closed <name>` lines in the order the process wrote them. */
function closedInOrder(output: string): string[] {
  return [...output.matchAll(/closed ([\w ]+?)\s*(?:\{|$)/gm)].map((match) => match[1] ?? "");
}

/**
 * The closed resources that log a start line (each adapter's `<name>: <adapter>`, the HTTP server's
 * `listening on`), in the order those lines were written: the order they were started.
 */
function startedInOrder(output: string, closed: string[]): string[] {
  const at = (name: string) =>
    name === "http server" ? output.indexOf("listening on") : output.search(new RegExp(`\\b${name}: `));
  return closed.filter((name) => at(name) >= 0).sort((a, b) => at(a) - at(b));
}

/** `closed` holds `expected`, and closes what was started in reverse: last started, first closed; the database last. */
function expectReverseStartOrder(output: string, expected: string[]): void {
  const closed = closedInOrder(output);
  expect(closed).toEqual(expect.arrayContaining(expected));
  const started = startedInOrder(output, closed);
  expect(closed.filter((name) => started.includes(name))).toEqual([...started].reverse());
  expect(closed.at(-1)).toBe("database");
}

// Real processes on real PostgreSQL and Redis; REQUIRE_SERVICES/CI make their absence fail the run in global setup.
describe.runIf(postgresUrl && redisUrl)("graceful shutdown under load", () => {
  let sandbox: string;
  let database: ScratchDatabase;
  let queuePrefix: string;
  let env: Record<string, string>;
  let source: string;
  let api: ApiProcess;
  let worker: WorkerProcess;
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-shutdown-"));
    database = await createScratchDatabase(postgresUrl ?? "", "shutdown");
    queuePrefix = `rbshutdown-${process.pid}-${randomUUID().slice(0, 8)}`;
    env = {
      NODE_ENV: "test",
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl ?? "",
      QUEUE_PREFIX: queuePrefix,
      JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      // 50 clients from one address would spend any per-address budget: this suite is about shutdown.
      RATE_LIMITS: "off",
    };
    // 40 s of 720p to P720: still transcoding seconds after the API stopped, even on an idle machine.
    const making = makeTestVideo(sandbox, { seconds: 40, width: 1280, height: 720 });
    // The API first: it applies the migrations to the fresh database.
    api = await startApiProcess(env);
    apis.push(api);
    worker = await startWorker(env);
    workers.push(worker);
    source = await making;
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([...apis.map((api) => api.kill()), ...workers.map((worker) => worker.killGroup())]);
    const redis = new Redis(redisUrl ?? "");
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database?.drop();
    await rm(sandbox, { recursive: true, force: true });
  }, SUITE_TIMEOUT_MS);

  it(
    "SIGTERM with 50 clients calling and streams open: no accepted request fails, streams end, the worker hands its job back, exit 0",
    async () => {
      const store = createTokenStore();
      const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
      const session = await client.auth.register.mutate({ email: uniqueEmail("shutdown"), password: PASSWORD });
      store.set(session);
      const videoId = await uploadOverHttp(client, source, "Shutdown clip");
      const job = await client.videos.process.mutate({ id: videoId, quality: "P720" });

      const auth = { authorization: `Bearer ${session.accessToken}` };
      const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;
      const paths = ["/trpc/auth.me", `/trpc/videos.list?${input({ limit: 10 })}`, `/trpc/videos.get?${input({ id: videoId })}`];
      const load = runLoad(api.url, CLIENTS, (clientNo, n) => paths[(clientNo + n) % paths.length] ?? "/", auth);
      const streams = Array.from({ length: 3 }, () =>
        openEventStream(api.url, `/trpc/jobs.onProgress?${input({ id: job.id })}`, auth),
      );
      // Health checkers on kept-alive connections, as a load balancer's would be.
      const readiness = probe(api.url, "/health/ready", 3);
      const liveness = probe(api.url, "/health/live", 2);
      try {
        for (const stream of streams) expect(await stream.status).toBe(200);
        // The worker is transcoding (progress > 0) and the load has been running a moment.
        await waitForRow(database.url, job.id, (row) => row.status === "RUNNING" && row.progress > 0, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        for (const stream of streams) expect(stream.text()).toContain('"status":"RUNNING"');
        const answeredBefore = load.results.filter((result) => result.status === 200).length;
        expect(answeredBefore).toBeGreaterThan(CLIENTS);

        const signalledAt = performance.now();
        api.child.kill("SIGTERM");
        await api.waitForOutput("api received SIGTERM", 5_000);
        const seenAt = performance.now();
        const code = await api.exited;
        const exitedAt = performance.now();
        await load.stop();
        await Promise.all([readiness.stop(), liveness.stop()]);

        // Exit 0 within the grace period.
        expect(code).toBe(0);
        expect(exitedAt - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
        // Streams ended at once, not when the grace period cut them.
        for (const stream of streams) expect((await stream.ended) - signalledAt).toBeLessThan(2_000);

        const results = load.results;
        const refused = (result: LoadResult) => result.errorCode === "ECONNREFUSED";
        const failed = results.filter((result) => !refused(result) && result.status !== 200);
        const at = (t: number) => Math.round(t - signalledAt);
        const timeline = `signal 0, seen ${at(seenAt)}, exit ${at(exitedAt)}; ${results.length} requests; failed: ${JSON.stringify(
          failed.slice(0, 5).map((r) => ({ ...r, sentAt: at(r.sentAt), doneAt: at(r.doneAt) })),
        )}\n${api.output().slice(-3000)}`;
        expect(failed.length, timeline).toBe(0);
        const ends = await Promise.all(streams.map((stream) => stream.ended));
        process.stdout.write(
          `graceful shutdown: ${results.length} requests, ${failed.length} failed, ` +
            `${results.filter((r) => r.connection === "close").length} answered with Connection: close, ` +
            `${results.filter(refused).length} refused after the listener closed; streams ended at ` +
            `${ends.map(at).join("/")} ms, exit at ${at(exitedAt)} ms after SIGTERM; readiness ${readiness.answers.length} ` +
            `answers (${readiness.answers.filter((a) => a.status === 503).length} 503 while draining), liveness ` +
            `${liveness.answers.length} (${liveness.answers.filter((a) => a.connection === "close").length} while draining)\n`,
        );
        // Answers to requests sent once the process was shutting down tell the client to go elsewhere.
        const afterSignal = results.filter((result) => result.status === 200 && result.sentAt > seenAt);
        expect(afterSignal.filter((result) => result.connection !== "close")).toEqual([]);
        expect(afterSignal.length + results.filter((r) => r.connection === "close").length).toBeGreaterThan(0);
        expect(results.filter(refused).length).toBeGreaterThan(0);

        // Readiness: 200 until the signal; every probe answered once the process was draining (those
        // answers carry Connection: close) says 503 "shutting_down", and there were such answers.
        // Liveness stays 200 throughout, draining included.
        const draining = readiness.answers.filter((answer) => answer.connection === "close");
        expect(draining.length, JSON.stringify(readiness.answers.slice(-5))).toBeGreaterThan(0);
        for (const answer of draining) {
          expect(answer.status).toBe(503);
          expect(JSON.parse(answer.body)).toMatchObject({ status: "shutting_down" });
        }
        expect(readiness.answers.filter((answer) => answer.connection !== "close" && answer.status !== 200)).toEqual([]);
        expect(readiness.answers.filter((answer) => answer.sentAt < signalledAt).length).toBeGreaterThan(0);
        expect(liveness.answers.filter((answer) => answer.connection === "close").length).toBeGreaterThan(0);
        expect(liveness.answers.filter((answer) => answer.status !== 200)).toEqual([]);

        // Reverse start order: the HTTP server (started last) first, the database (first) last.
        const output = api.output();
        expectReverseStartOrder(output, ["http server", "job queue", "event bus", "cache", "database"]);
        expect(closedInOrder(output)[0]).toBe("http server");
        expect(output).toContain("api stopped");

        // The job is still running in the worker: stopping the worker hands it back.
        const running = await jobRow(database.url, job.id);
        expect(running).toMatchObject({ status: "RUNNING", attempts: 1 });
        expect((await processesMatching(`reelbase-job-${job.id}`)).length).toBeGreaterThan(0);
        const workerSignalledAt = performance.now();
        worker.child.kill("SIGTERM");
        await worker.exited;
        expect(worker.child.exitCode).toBe(0);
        const workerStoppedMs = Math.round(performance.now() - workerSignalledAt);
        process.stdout.write(`graceful shutdown: the worker handed its job back and exited in ${workerStoppedMs} ms\n`);
        expect(workerStoppedMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
        expect(await processesMatching(`reelbase-job-${job.id}`)).toEqual([]);
        // Queued again, not failed, and the interrupted run is not counted against its attempts.
        expect(await jobRow(database.url, job.id)).toMatchObject({ status: "QUEUED", attempts: 0, progress: 0 });
        const workerOutput = worker.output();
        expectReverseStartOrder(workerOutput, ["job queue", "event bus", "cache", "database"]);
        expect(workerOutput).toContain("worker stopped");

        // A fresh worker finishes it, as its first counted attempt.
        workers.push(await startWorker(env));
        const done = await waitForRow(database.url, job.id, (row) => row.status !== "QUEUED" && row.status !== "RUNNING", 90_000);
        expect(done).toMatchObject({ status: "SUCCEEDED", progress: 100, attempts: 1 });
      } finally {
        await load.stop();
        await Promise.all([readiness.stop(), liveness.stop()]);
        for (const stream of streams) stream.close();
      }
    },
    SUITE_TIMEOUT_MS,
  );
});
