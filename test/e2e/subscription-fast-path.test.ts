import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_CONFIG, type AppConfig } from "../../server/src/config/config.js";
import { createHttpApp } from "../../server/src/http/app.js";
import { subscriptionPaths, withSubscriptions } from "../../server/src/http/subscriptions.listener.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { appRouter } from "../../server/src/trpc/app.router.js";
import { startHttpApi, type HttpTestApi } from "../support/http-api.js";
import { uploadOverHttp } from "../support/http-processing.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { signUpOverHttp } from "../support/users.js";

/**
 * Subscriptions are answered ahead of express (server/src/http/subscriptions.listener.ts, docs/adr/0029):
 * express must not see them, and a client must not be able to tell. Each request goes both to a
 * server of express alone and to one with the listener in front, on the same container; status,
 * headers (but Date) and body must match.
 */
const ORIGIN = "http://allowed.test";

interface Served {
  url: string;
  server: Server;
  /** Requests that reached express. */
  expressCalls: () => number;
  logs: () => Record<string, unknown>[];
}

async function serve(
  wrap: (app: RequestListener, config: AppConfig, logger: ReturnType<typeof createWinstonLogger>) => RequestListener,
  api: HttpTestApi,
): Promise<Served> {
  const config = api.container.get<AppConfig>(APP_CONFIG);
  let captured = "";
  const stream = new PassThrough().on("data", (chunk: Buffer) => (captured += chunk.toString("utf8")));
  const logger = createWinstonLogger({ level: "debug", json: true, stream });
  const express = createHttpApp(api.container, config, logger);
  let calls = 0;
  const counted: RequestListener = (req, res) => {
    calls += 1;
    express(req, res);
  };
  const server = createServer(wrap(counted, config, logger)).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    expressCalls: () => calls,
    logs: () =>
      captured
        .split("\n")
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One answer, headers but Date; an event stream is read to its first event and then dropped. */
async function see(base: string, procedure: string, input: unknown, headers: Record<string, string>): Promise<Seen> {
  const controller = new AbortController();
  const response = await fetch(`${base}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers,
    signal: controller.signal,
  });
  const seen: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== "date") seen[name] = value;
  let body = "";
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    const reader = response.body?.getReader();
    for (let reads = 0; reader && reads < 50 && !body.includes('"jobId"'); reads++) {
      const { value, done } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    controller.abort();
    body = body.slice(0, body.indexOf("\n\n") + 2);
  } else {
    body = await response.text();
  }
  return { status: response.status, headers: seen, body };
}

describe("subscriptions ahead of express", () => {
  let api: HttpTestApi;
  let sandbox: string;
  let jobId: string;
  let owner: Record<string, string>;
  let stranger: Record<string, string>;
  let plain: Served;
  let fast: Served;

  const signUp = (label: string) => signUpOverHttp(api.url, label);

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-sse-fast-"));
    api = await startHttpApi("pglite", { LOCAL_STORAGE_DIR: path.join(sandbox, "objects"), CORS_ORIGINS: ORIGIN });
    const alice = await signUp("alice");
    owner = alice.auth;
    stranger = (await signUp("mallory")).auth;
    const videoId = await uploadOverHttp(alice.client, await makeTestVideo(sandbox));
    jobId = (await alice.client.videos.process.mutate({ id: videoId, quality: "P360" })).id;
    plain = await serve((app) => app, api);
    fast = await serve((app, config, logger) => withSubscriptions(app, api.container, config, logger), api);
  }, 120_000);

  afterAll(async () => {
    for (const served of [plain, fast]) served?.server.closeAllConnections();
    await Promise.all([plain, fast].map((served) => served && new Promise((resolve) => served.server.close(resolve))));
    await api?.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  it("takes its subscriptions from the router", () => {
    expect([...subscriptionPaths(appRouter)]).toEqual(["jobs.onProgress"]);
  });

  it.each([
    ["no credentials (401)", 401, () => ({})],
    ["a malformed id (400)", 400, () => owner],
    ["someone else's job (404)", 404, () => stranger],
    ["one's own job (200, an event stream)", 200, () => owner],
  ])("%s: the same answer, and express never sees it", async (_label, status, auth) => {
    const input = status === 400 ? { id: "not-a-job-id" } : { id: jobId };
    const headers = { origin: ORIGIN, "x-request-id": `parity-${status}`, accept: "text/event-stream", ...auth() };
    const before = fast.expressCalls();
    const reference = await see(plain.url, "jobs.onProgress", input, headers);
    const answered = await see(fast.url, "jobs.onProgress", input, headers);
    expect(fast.expressCalls()).toBe(before);
    expect(answered).toEqual(reference);
    expect(answered.status).toBe(status);
    expect(answered.headers).toMatchObject({
      "x-request-id": `parity-${status}`,
      "access-control-allow-origin": ORIGIN,
      "access-control-allow-credentials": "true",
      "cache-control": status === 200 ? "no-cache, no-transform" : "no-store",
      "x-content-type-options": "nosniff",
      "strict-transport-security": expect.any(String),
      "content-security-policy": expect.any(String),
    });
    // The access line, but for its timing, is express's too.
    const line = (served: Served) => {
      const found = served.logs().find((entry) => entry.message === "request" && entry.correlationId === `parity-${status}`);
      return found && { ...found, durationMs: 0, timestamp: 0 };
    };
    if (status === 200) return; // a dropped stream never finishes, on either path
    await expect.poll(() => line(fast), { timeout: 5_000 }).toBeDefined();
    expect(line(fast)).toEqual(line(plain));
  });

  it("an origin not allowed, an unusable request id: as express", async () => {
    const headers = { origin: "http://elsewhere.test", "x-request-id": "bad id with spaces" };
    const reference = await see(plain.url, "jobs.onProgress", { id: jobId }, headers);
    const answered = await see(fast.url, "jobs.onProgress", { id: jobId }, headers);
    const ignoringId = ({ headers: { "x-request-id": id, ...rest }, body }: Seen) => ({
      rest,
      body: body.replace(id ?? "", "<id>"),
    });
    expect(ignoringId(answered)).toEqual(ignoringId(reference));
    expect(answered.headers["access-control-allow-origin"]).toBeUndefined();
    expect(answered.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("queries, batches and other methods still go to express", async () => {
    const before = fast.expressCalls();
    await see(fast.url, "jobs.get", { id: jobId }, owner);
    await see(fast.url, "jobs.onProgress,jobs.get", { 0: { id: jobId } }, owner);
    await fetch(`${fast.url}/trpc/jobs.onProgress`, { method: "POST", headers: owner, body: "{}" });
    expect(fast.expressCalls()).toBe(before + 3);
  });

  it("the API itself answers a subscription as express would", async () => {
    const headers = { origin: ORIGIN, "x-request-id": "parity-api", ...owner };
    const reference = await see(plain.url, "jobs.onProgress", { id: "not-a-job-id" }, headers);
    expect(await see(api.url, "jobs.onProgress", { id: "not-a-job-id" }, headers)).toEqual(reference);
  });
});
