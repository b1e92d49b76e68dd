import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import {
  dataOf,
  eventually,
  expectFailure,
  signedUpClient,
  watchProcessFailures,
  type Answer,
  type OutageClient,
} from "../support/outage.js";
import { createPrivatePostgres, privatePostgresAvailable, type PrivatePostgres } from "../support/postgres-cluster.js";
import { freePort } from "../support/redis-server.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

// A PostgreSQL cluster of this file's own (initdb + pg_ctl in a temporary directory) that it stops
// and starts again under one running API process. No Redis: the cache is in-process and the queue
// is the jobs table, so the database is the only service that goes away.
describe.runIf(privatePostgresAvailable())("PostgreSQL outage: stopped and started again under a running API", () => {
  let sandbox: string;
  let postgres: PrivatePostgres;
  let api: HttpTestApi;
  let client: OutageClient;
  let videoId: string;
  const processFailures = watchProcessFailures();

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-outage-pg-"));
    postgres = await createPrivatePostgres(await freePort());
    // The app migrates the empty database itself on start.
    api = await startHttpApi("pglite", { DATABASE_URL: postgres.url, LOCAL_STORAGE_DIR: path.join(sandbox, "objects") });
    client = await signedUpClient(api);
    videoId = dataOf<{ id: string }>(await client.mutate("videos.create", { title: "Before the outage" })).id;
  });

  afterAll(async () => {
    processFailures.stop();
    await api?.close();
    await postgres?.destroy();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  it("answers 503 SERVICE_UNAVAILABLE in our error shape while the database is down, and stays alive", async () => {
    expect((await client.ready()).status).toBe(200);
    await postgres.stop();

    const register = await api.post("/trpc/auth.register", { email: uniqueEmail("outage"), password: PASSWORD });
    const calls = {
      "videos.list": await client.query("videos.list", { limit: 10 }),
      "videos.get": await client.query("videos.get", { id: videoId }),
      "videos.create": await client.mutate("videos.create", { title: "During the outage" }),
      "credits.balance": await client.query("credits.balance"),
      "auth.register": { status: register.status, body: (await register.json()) as Answer["body"], ms: 0 },
    };
    for (const [procedure, reply] of Object.entries(calls)) {
      expectFailure(reply, 503, "SERVICE_UNAVAILABLE", "DEPENDENCY_UNAVAILABLE");
      expect(reply.body.error?.message, procedure).toBe("The database is temporarily unavailable");
      expect(reply.ms, procedure).toBeLessThan(5_000);
    }
    // A session already checked is served from the in-process auth cache: no database needed.
    expect((await client.query("auth.me")).status).toBe(200);

    const ready = await client.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("unavailable");
    // The embedded queue is the jobs table: it is down with the database.
    expect(ready.body.failing?.sort()).toEqual(["database", "queue"]);
    expect(ready.body.checks.storage).toBe("ok");
    expect(ready.body.adapters).toMatchObject({ database: "postgres", queue: "embedded" });
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
  });

  it("recovers when the database is back, without restarting the API", async () => {
    await postgres.start();
    await eventually(async () => expect((await client.ready()).status).toBe(200), 15_000);
    expect(dataOf<{ id: string }>(await client.query("videos.get", { id: videoId })).id).toBe(videoId);
    dataOf(await client.mutate("videos.create", { title: "After the outage" }));
    const titles = dataOf<{ items: Array<{ title: string }> }>(await client.query("videos.list", { limit: 10 })).items;
    expect(titles.map((video) => video.title).sort()).toEqual(["After the outage", "Before the outage"]);
    const registered = await api.post("/trpc/auth.register", { email: uniqueEmail("after"), password: PASSWORD });
    expect(registered.status).toBe(200);
  });

  it("neither crashed nor left an unhandled rejection, and logged no 500", () => {
    expect(processFailures.failures).toEqual([]);
    const statuses = api
      .logs()
      .map((line) => line.status ?? line.statusCode)
      .filter((status) => typeof status === "number");
    expect(statuses).toContain(503);
    expect(statuses).not.toContain(500);
  });
});
