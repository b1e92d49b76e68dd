import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createAppContainer } from "../../server/src/container.js";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { OutboxRelay } from "../../server/src/outbox/outbox-relay.js";
import { CLOCK, type Clock } from "../../server/src/shared/application/clock.js";
import { DOMAIN_EVENT_HANDLER, type DomainEventHandler } from "../../server/src/shared/application/event-outbox.js";
import { newEventId } from "../../server/src/shared/domain/domain-event.js";
import { Lifecycle } from "../../server/src/shared/lifecycle.js";
import { startIntegrations } from "../../server/src/start-integrations.js";
import { expectTrpcError } from "../support/errors.js";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo, waitForJob } from "../support/processing.js";
import { startJobConsumer } from "../../server/src/jobs-consumer.js";
import { dropQueueKeys } from "../support/queue-modes.js";
import { backends, createTestApp, silentLogger, type Backend, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "../support/webhook-receiver.js";

const headersOf = (request: ReceivedWebhook): Record<string, string> => ({
  "webhook-id": String(request.headers["webhook-id"]),
  "webhook-timestamp": String(request.headers["webhook-timestamp"]),
  "webhook-signature": String(request.headers["webhook-signature"]),
});

const typeOf = (request: ReceivedWebhook): string => (JSON.parse(request.body) as { type: string }).type;

describe.each(webhookModes())("webhooks ($name)", (mode) => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let clip: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, receiver, clip, close } = await openWebhookApp(mode, {
      WEBHOOK_RETRY_DELAYS_MS: "200,200",
      WEBHOOK_TIMEOUT_MS: "1500",
    }));
  }, 60_000);

  afterAll(() => close());

  it("shows the secret once, lists endpoints without it, and hides them from other users", async () => {
    const { bearer } = await registerUser(app);
    const created = await app
      .caller(bearer)
      .webhooks.create({ url: `${receiver.url}/crud`, events: ["video.ready"], description: " mine " });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({ status: "ACTIVE", description: "mine", failureCount: 0 });
    const listed = await app.caller(bearer).webhooks.list();
    expect(listed.items.map((item) => item.id)).toEqual([created.id]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(JSON.stringify(await app.caller(bearer).webhooks.get({ id: created.id }))).not.toContain(created.secret);

    const other = await registerUser(app, "other");
    await expectTrpcError(app.caller(other.bearer).webhooks.get({ id: created.id }), "NOT_FOUND", "WEBHOOK_NOT_FOUND");
    await expectTrpcError(app.caller(other.bearer).webhooks.delete({ id: created.id }), "NOT_FOUND", "WEBHOOK_NOT_FOUND");
    await expectTrpcError(
      app.caller(other.bearer).webhooks.deliveries({ endpointId: created.id }),
      "NOT_FOUND",
      "WEBHOOK_NOT_FOUND",
    );

    const updated = await app
      .caller(bearer)
      .webhooks.update({ id: created.id, events: ["video.ready", "job.failed"], enabled: false });
    expect(updated).toMatchObject({
      events: ["video.ready", "job.failed"],
      status: "DISABLED",
      disabledReason: "disabled by its owner",
    });
    expect(await app.caller(bearer).webhooks.delete({ id: created.id })).toEqual({ ok: true });
    await expectTrpcError(app.caller(bearer).webhooks.get({ id: created.id }), "NOT_FOUND", "WEBHOOK_NOT_FOUND");
  });

  it("needs the webhooks:write scope on an API key", async () => {
    const { bearer } = await registerUser(app);
    const reader = await app.caller(bearer).apiKeys.create({ name: "reader", scopes: ["videos:read"] });
    await expectTrpcError(app.caller(`ApiKey ${reader.key}`).webhooks.list(), "FORBIDDEN", "API_KEY_SCOPE_MISSING");
    const writer = await app.caller(bearer).apiKeys.create({ name: "hooks", scopes: ["webhooks:write"] });
    expect((await app.caller(`ApiKey ${writer.key}`).webhooks.list()).items).toEqual([]);
  });

  it("refuses URLs that point inside the network unless allow-listed, and never calls them", async () => {
    const elsewhere = await startWebhookReceiver("127.0.0.2");
    try {
      const { bearer } = await registerUser(app);
      const caller = app.caller(bearer);
      for (const url of [
        `${elsewhere.url}/x`,
        elsewhere.url.replace("http:", "https:"),
        "https://localhost/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.2]/x",
      ]) {
        await expectTrpcError(caller.webhooks.create({ url, events: ["video.ready"] }), "BAD_REQUEST", "WEBHOOK_URL_REFUSED");
      }
      await expectTrpcError(
        caller.webhooks.create({ url: "ftp://127.0.0.1/x", events: ["video.ready"] }),
        "BAD_REQUEST",
        "VALIDATION_FAILED",
      );
      await expectTrpcError(caller.webhooks.create({ url: "not a url", events: ["video.ready"] }), "BAD_REQUEST");
      await expectTrpcError(caller.webhooks.create({ url: `${receiver.url}/x`, events: [] }), "BAD_REQUEST");
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("delivers a signed video.uploaded carrying the video as videos.get shows it, to subscribed endpoints only", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const hook = await caller.webhooks.create({ url: `${receiver.url}/uploaded`, events: ["video.uploaded"] });
    const deaf = await caller.webhooks.create({ url: `${receiver.url}/deaf`, events: ["video.ready"] });
    const videoId = await uploadedVideo(app, caller, clip);
    const [request] = await receiver.waitFor((entry) => entry.path === "/uploaded");
    if (!request) throw new Error("no webhook");
    const payload = new Webhook(hook.secret).verify(request.body, headersOf(request)) as {
      id: string;
      type: string;
      data: unknown;
    };
    expect(payload.type).toBe("video.uploaded");
    expect(payload.id).toMatch(/^evt_/);
    expect(request.headers["webhook-id"]).toBe(payload.id);
    expect(payload.data).toEqual(await caller.videos.get({ id: videoId }));
    const log = { items: [await waitForDelivery(caller, hook.id, "SUCCEEDED")] };
    expect(log.items).toMatchObject([
      { eventId: payload.id, eventType: "video.uploaded", status: "SUCCEEDED", attempts: 1, lastStatus: 204 },
    ]);
    expect((await caller.webhooks.deliveries({ endpointId: deaf.id })).items).toEqual([]);
    expect(receiver.received.filter((entry) => entry.path === "/deaf")).toHaveLength(0);
    await expectOneRequestPerAttempt(caller, hook.id, receiver);
  });

  it("retries a failing receiver with the same webhook-id, honours 410 by disabling the endpoint, and redelivers on request", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    let calls = 0;
    receiver.respond((request, response) => {
      if (request.path === "/flaky") return void response.writeHead(++calls < 3 ? 500 : 200).end("ok");
      if (request.path === "/gone") return void response.writeHead(410).end();
      response.writeHead(204).end();
    });
    try {
      const flaky = await caller.webhooks.create({ url: `${receiver.url}/flaky`, events: ["video.uploaded"] });
      const { eventId } = await caller.webhooks.test({ id: flaky.id });
      const attempts = await receiver.waitFor((entry) => entry.path === "/flaky" && entry.headers["webhook-id"] === eventId, 3);
      expect(new Set(attempts.map((entry) => entry.headers["webhook-id"]))).toEqual(new Set([eventId]));
      expect(typeOf(attempts[0] as ReceivedWebhook)).toBe("webhook.test");
      const delivered = await waitForDelivery(caller, flaky.id, "SUCCEEDED");
      expect(delivered).toMatchObject({ attempts: 3, lastStatus: 200 });
      // The endpoint's streak is written right after the delivery's state, by a statement of its own.
      await eventually(async () => expect((await caller.webhooks.get({ id: flaky.id })).failureCount).toBe(0));

      const again = await caller.webhooks.redeliver({ deliveryId: delivered.id });
      expect(again.status).toBe("PENDING");
      await receiver.waitFor((entry) => entry.path === "/flaky" && entry.headers["webhook-id"] === eventId, 4);
      expect(await waitForDelivery(caller, flaky.id, "SUCCEEDED", 4)).toMatchObject({ attempts: 4 });
      await expectOneRequestPerAttempt(caller, flaky.id, receiver);

      const gone = await caller.webhooks.create({ url: `${receiver.url}/gone`, events: ["video.uploaded"] });
      await caller.webhooks.test({ id: gone.id });
      expect(await waitForDelivery(caller, gone.id, "FAILED")).toMatchObject({ attempts: 1, lastStatus: 410 });
      await eventually(async () =>
        expect(await caller.webhooks.get({ id: gone.id })).toMatchObject({
          status: "DISABLED",
          disabledReason: "the receiver answered 410 Gone",
        }),
      );
      await expectOneRequestPerAttempt(caller, gone.id, receiver);

      const other = await registerUser(app, "other");
      await expectTrpcError(
        app.caller(other.bearer).webhooks.redeliver({ deliveryId: delivered.id }),
        "NOT_FOUND",
        "WEBHOOK_DELIVERY_NOT_FOUND",
      );
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("gives up after the retry schedule and keeps every attempt in the log", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    receiver.respond((request, response) => response.writeHead(request.path === "/down" ? 503 : 204).end());
    try {
      const down = await caller.webhooks.create({ url: `${receiver.url}/down`, events: ["video.uploaded"] });
      await caller.webhooks.test({ id: down.id });
      // WEBHOOK_RETRY_DELAYS_MS=200,200: the first attempt and two retries.
      expect(await waitForDelivery(caller, down.id, "FAILED")).toMatchObject({
        attempts: 3,
        lastStatus: 503,
        nextAttemptAt: null,
      });
      await eventually(async () => expect((await caller.webhooks.get({ id: down.id })).failureCount).toBe(3));
      await expectOneRequestPerAttempt(caller, down.id, receiver);
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("counts a redirect as a failed attempt and never follows it", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    receiver.respond((request, response) => {
      if (request.path === "/moved") return void response.writeHead(302, { location: `${receiver.url}/target` }).end();
      response.writeHead(204).end();
    });
    try {
      const moved = await caller.webhooks.create({ url: `${receiver.url}/moved`, events: ["video.uploaded"] });
      await caller.webhooks.test({ id: moved.id });
      expect(await waitForDelivery(caller, moved.id, "FAILED")).toMatchObject({ attempts: 3, lastStatus: 302 });
      expect(receiver.received.filter((entry) => entry.path === "/target")).toHaveLength(0);
      await expectOneRequestPerAttempt(caller, moved.id, receiver);
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("signs with the previous secret next to the new one for a day after a rotation", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const created = await caller.webhooks.create({ url: `${receiver.url}/rotated`, events: ["video.uploaded"] });
    const rotated = await caller.webhooks.rotateSecret({ id: created.id });
    expect(rotated.secret).not.toBe(created.secret);
    const { eventId } = await caller.webhooks.test({ id: created.id });
    const [request] = await receiver.waitFor((entry) => entry.headers["webhook-id"] === eventId);
    if (!request) throw new Error("no webhook");
    expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [created.secret, rotated.secret])
      expect(() => new Webhook(secret).verify(request.body, headersOf(request))).not.toThrow();
  });

  it("keeps a dead receiver's deliveries from holding up another endpoint's", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    receiver.respond((request, response) => {
      if (request.path === "/hangs") return; // never answers: each attempt waits out WEBHOOK_TIMEOUT_MS
      response.writeHead(204).end();
    });
    try {
      const dead = await caller.webhooks.create({ url: `${receiver.url}/hangs`, events: ["video.uploaded"] });
      const alive = await caller.webhooks.create({ url: `${receiver.url}/alive`, events: ["video.uploaded"] });
      for (let i = 0; i < 12; i++) await caller.webhooks.test({ id: dead.id });
      const { eventId } = await caller.webhooks.test({ id: alive.id });
      await receiver.waitFor((entry) => entry.headers["webhook-id"] === eventId);
      // Delivered while the dead endpoint's first attempts are still waiting for an answer: at most
      // eight of them are in flight, and none has ended.
      const deadLog = await caller.webhooks.deliveries({ endpointId: dead.id });
      expect(deadLog.items.every((item) => item.attempts === 0)).toBe(true);
      expect(receiver.received.filter((entry) => entry.path === "/hangs").length).toBeLessThanOrEqual(8);
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("makes one delivery per endpoint however often an event is handed over, and a dead relay's claim is taken over", async () => {
    const { bearer, user } = await registerUser(app);
    const caller = app.caller(bearer);
    const hook = await caller.webhooks.create({ url: `${receiver.url}/once`, events: ["video.failed"] });
    const db = app.container.get<Database>(DATABASE);
    const clock = app.container.get<Clock>(CLOCK);
    const id = newEventId();
    // As a relay that died holding the event would leave it: claimed, never handled.
    await db.client.outboxEvent.create({
      data: {
        id,
        type: "video.failed",
        aggregateId: "x",
        ownerId: user.id,
        data: { hello: "world" },
        claimedUntil: new Date(Date.now() - 1000),
        handleCount: 1,
      },
    });
    const handler = app.container
      .getAll<DomainEventHandler>(DOMAIN_EVENT_HANDLER)
      .find((candidate) => candidate.name === "webhooks");
    if (!handler) throw new Error("no webhooks handler");
    const event = {
      id,
      type: "video.failed" as const,
      aggregateId: "x",
      ownerId: user.id,
      occurredAt: new Date(),
      data: { hello: "world" },
    };
    await Promise.all([handler.handle(event), handler.handle(event)]);
    const secondRelay = new OutboxRelay(db, [handler], clock, silentLogger);
    await secondRelay.relayBatch();
    await receiver.waitFor((entry) => entry.headers["webhook-id"] === id);
    expect((await db.client.outboxEvent.findUnique({ where: { id } }))?.handledAt).not.toBeNull();
    expect((await caller.webhooks.deliveries({ endpointId: hook.id })).items).toHaveLength(1);
  });

  it("fires credits.low once, when a charge takes the balance under the threshold", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const hook = await caller.webhooks.create({ url: `${receiver.url}/low`, events: ["credits.low"] });
    // 30 credits; each generation costs 5 and stays queued (no job consumer here): the 6th goes from 5 to 0.
    for (let i = 0; i < 6; i++) await caller.videos.generate({ title: `g${i}`, script: "Hello.", quality: "P360" });
    const [request] = await receiver.waitFor((entry) => entry.path === "/low");
    if (!request) throw new Error("no webhook");
    expect(JSON.parse(request.body)).toMatchObject({ type: "credits.low", data: { balance: 0, threshold: 5 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await caller.webhooks.deliveries({ endpointId: hook.id })).items).toHaveLength(1);
  });

  it("lets exactly the free slots win when creates race at the endpoint limit", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    for (let i = 0; i < 19; i++) await caller.webhooks.create({ url: `${receiver.url}/n${i}`, events: ["video.ready"] });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => caller.webhooks.create({ url: `${receiver.url}/race${i}`, events: ["video.ready"] })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect((await caller.webhooks.list()).items).toHaveLength(20);
    await expectTrpcError(
      caller.webhooks.create({ url: `${receiver.url}/more`, events: ["video.ready"] }),
      "UNPROCESSABLE_CONTENT",
      "WEBHOOK_LIMIT_REACHED",
    );
  });

  // Last: it moves the app's clock days ahead.
  it("disables an endpoint that has failed without a success for WEBHOOK_DISABLE_AFTER_HOURS, and audits it", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    receiver.respond((request, response) => response.writeHead(request.path === "/streak" ? 500 : 204).end());
    try {
      const hook = await caller.webhooks.create({ url: `${receiver.url}/streak`, events: ["video.uploaded"] });
      await caller.webhooks.test({ id: hook.id });
      await waitForDelivery(caller, hook.id, "PENDING");
      const db = app.container.get<Database>(DATABASE);
      expect((await db.client.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.id } })).status).toBe("ACTIVE");
      app.clock.advance(121 * 3600 * 1000); // the default is 120 h (5 days)
      // Due again now, however many of its (short) retries have run meanwhile.
      await db.client.webhookDelivery.updateMany({
        where: { endpointId: hook.id },
        data: { status: "PENDING", nextAttemptAt: app.clock.now(), claimedUntil: null },
      });
      const deadline = Date.now() + 15_000;
      let endpoint = await db.client.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.id } });
      while (endpoint.status === "ACTIVE" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        endpoint = await db.client.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.id } });
      }
      expect(endpoint).toMatchObject({ status: "DISABLED", disabledReason: "failing without a success for too long" });
      // Audited right after the disabling write.
      let audited = 0;
      while (audited === 0 && Date.now() < deadline) {
        audited = await db.client.auditLog.count({ where: { action: "webhook.disabled", targetId: hook.id } });
        if (audited === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(audited).toBe(1);
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });
});

async function waitForDelivery(
  caller: ReturnType<TestApp["caller"]>,
  endpointId: string,
  status: string,
  minAttempts = 1,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [item] = (await caller.webhooks.deliveries({ endpointId })).items;
    if (item && item.status === status && item.attempts >= minAttempts) return item;
    if (Date.now() > deadline) throw new Error(`delivery still ${JSON.stringify(item)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Retries an assertion for up to 5 s: for what a delivery writes after its own state (the endpoint's streak). */
const eventually = (assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout: 5_000, interval: 25 });

/** The endpoint's deliveries once `count` of them have ended (SUCCEEDED or FAILED). */
async function waitForDeliveries(caller: ReturnType<TestApp["caller"]>, endpointId: string, count: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await caller.webhooks.deliveries({ endpointId, limit: 100 });
    const ended = items.filter((item) => item.status === "SUCCEEDED" || item.status === "FAILED");
    if (ended.length >= count) return items;
    if (Date.now() > deadline) throw new Error(`${ended.length} of ${count} deliveries ended after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Every ended delivery of the endpoint reached the receiver exactly once per attempt it logs, each
 * time under its event's webhook-id, and nothing else reached the receiver under those ids.
 */
async function expectOneRequestPerAttempt(
  caller: ReturnType<TestApp["caller"]>,
  endpointId: string,
  receiver: WebhookReceiver,
): Promise<void> {
  const { items } = await caller.webhooks.deliveries({ endpointId, limit: 100 });
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) {
    expect(["SUCCEEDED", "FAILED"]).toContain(item.status);
    const requests = receiver.received.filter((entry) => entry.headers["webhook-id"] === item.eventId);
    expect(requests, `${item.eventType} ${item.eventId}`).toHaveLength(item.attempts);
  }
}

describe.each(webhookModes())("webhooks for a processing run ($name)", (mode) => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let clip: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, receiver, clip, close } = await openWebhookApp(mode, {}, { runJobs: true }));
  }, 60_000);

  afterAll(() => close());

  it("tells of job.succeeded and video.ready with the job and the video as they ended, and of video.deleted", async () => {
    const { bearer } = await registerUser(app);
    const caller = app.caller(bearer);
    const hook = await caller.webhooks.create({
      url: `${receiver.url}/run`,
      events: ["job.succeeded", "video.ready", "video.deleted", "job.cancelled"],
    });
    const id = await uploadedVideo(app, caller, clip);
    const job = await caller.videos.process({ id, quality: "P360" });
    await waitForJob(caller, job.id, ["SUCCEEDED", "FAILED"]);
    const ended = await receiver.waitFor((entry) => entry.path === "/run", 2);
    const byType = new Map(ended.map((entry) => [typeOf(entry), JSON.parse(entry.body) as { data: unknown }]));
    expect(byType.get("job.succeeded")?.data).toEqual(await caller.jobs.get({ id: job.id }));
    expect(byType.get("video.ready")?.data).toMatchObject({ id, status: "READY" });
    for (const entry of ended) expect(() => new Webhook(hook.secret).verify(entry.body, headersOf(entry))).not.toThrow();

    await caller.videos.delete({ id });
    const [deleted] = await receiver.waitFor((entry) => entry.path === "/run" && typeOf(entry) === "video.deleted");
    expect(JSON.parse(deleted?.body ?? "{}")).toMatchObject({ data: { id } });
    // Every subscribed event once (the receiver answers 204: one attempt each), none it did not ask for.
    const log = await waitForDeliveries(caller, hook.id, 3);
    expect(log.map((item) => item.eventType).sort()).toEqual(["job.succeeded", "video.deleted", "video.ready"]);
    expect(log.every((item) => item.attempts === 1)).toBe(true);
    await expectOneRequestPerAttempt(caller, hook.id, receiver);
  });
});

/** How a deployment runs its outbox relay and webhook delivery, for cases that must hold in each. */
interface WebhookMode {
  name: string;
  backend: Backend;
  /** Set: BullMQ on this Redis, and the relay and delivery run in a worker next to the API. */
  redisUrl: string | null;
}

/**
 * The embedded queue on each database (the API process runs the relay and delivery itself), and
 * BullMQ on Redis with PostgreSQL, where the API runs neither and a worker of the same deployment does.
 */
function webhookModes(): WebhookMode[] {
  const redisUrl = inject("redisUrl");
  const embedded = backends().map((backend) => ({ name: `${backend}, embedded queue`, backend, redisUrl: null }));
  // Needs both services; REQUIRE_SERVICES/CI make their absence fail the run in global setup.
  const bullmq =
    backends().includes("postgres") && redisUrl
      ? [{ name: "postgres, BullMQ on Redis, relay and delivery in a worker", backend: "postgres" as const, redisUrl }]
      : [];
  return [...embedded, ...bullmq];
}

/**
 * An app whose outbox relay and webhook delivery run (in the app itself with the embedded queue,
 * in a second container of the same deployment, as `npm run worker` would, with BullMQ), a
 * receiver on 127.0.0.1 (allow-listed) and a one-second clip; `runJobs` also runs the jobs there.
 * With BullMQ the run has a queue prefix of its own, removed at the end.
 */
async function openWebhookApp(mode: WebhookMode, env: Record<string, string>, options: { runJobs?: boolean } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "reelbase-webhooks-"));
  const clip = await makeTestVideo(dir, { seconds: 1, width: 320, height: 180 });
  const receiver = await startWebhookReceiver();
  const queuePrefix = `rbwebhooks-${process.pid}-${randomUUID().slice(0, 8)}`;
  const app = await createTestApp(mode.backend, {
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    LOCAL_STORAGE_DIR: path.join(dir, "objects"),
    ...(mode.redisUrl ? { REDIS_URL: mode.redisUrl, QUEUE_PREFIX: queuePrefix } : {}),
    ...env,
  });
  let lifecycle = new Lifecycle(silentLogger);
  let container = app.container;
  if (mode.redisUrl) {
    if (app.config.jobs.runInApi) throw new Error("with REDIS_URL the API must not run jobs, the relay or delivery");
    // The worker: its own container on the API's configuration (same database, same Redis and
    // prefix) and the API's clock, so a case that moves the clock moves the worker's too.
    ({ container, lifecycle } = await createAppContainer(app.config, silentLogger, app.clock));
  }
  if (options.runJobs) await startJobConsumer(container);
  startIntegrations(container, lifecycle);
  const close = async () => {
    await lifecycle.close();
    await app.close();
    await receiver.close();
    if (mode.redisUrl) await dropQueueKeys(mode.redisUrl, queuePrefix);
    await rm(dir, { recursive: true, force: true });
  };
  return { app, receiver, clip, close };
}
