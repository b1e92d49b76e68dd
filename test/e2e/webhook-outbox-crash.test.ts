import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { createReelbaseClient, createTokenStore } from "../../client/src/index.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import { dropQueueKeys } from "../support/queue-modes.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/services.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { startWorker, type WorkerProcess } from "../support/worker-process.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
const SUITE_TIMEOUT_MS = 180_000;

/**
 * The process that committed an event dies before anything sends it: with Redis the API runs no
 * relay (the workers do), and here no worker runs until the API has been SIGKILLed. The event is
 * in the outbox, so a worker started afterwards delivers it, once.
 */
describe("an event committed by a process that dies before sending it", () => {
  let database: ScratchDatabase;
  let receiver: WebhookReceiver;
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createScratchDatabase(postgresUrl ?? "", "outbox");
    receiver = await startWebhookReceiver();
    env = {
      NODE_ENV: "test",
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl ?? "",
      QUEUE_PREFIX: `rboutbox-${process.pid}-${randomUUID().slice(0, 8)}`,
      JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      HOUSEKEEPING: "off",
    };
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([api?.kill(), worker?.killGroup()]);
    await receiver.close();
    await dropQueueKeys(redisUrl ?? "", env.QUEUE_PREFIX ?? "");
    await database.drop();
  });

  it(
    "is delivered by a worker started after the crash, signed, exactly once",
    async () => {
      api = await startApiProcess(env);
      const store = createTokenStore();
      const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
      store.set(await client.auth.register.mutate({ email: uniqueEmail("outbox"), password: PASSWORD }));
      const hook = await client.webhooks.create.mutate({ url: `${receiver.url}/crash`, events: ["video.deleted"] });
      const video = await client.videos.create.mutate({ title: "Short-lived" });
      await client.videos.delete.mutate({ id: video.id });
      await api.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received).toHaveLength(0);

      worker = await startWorker(env);
      const [delivered] = await receiver.waitFor((entry) => entry.path === "/crash", 1, 30_000);
      if (!delivered) throw new Error("nothing delivered");
      const payload = new Webhook(hook.secret).verify(delivered.body, {
        "webhook-id": String(delivered.headers["webhook-id"]),
        "webhook-timestamp": String(delivered.headers["webhook-timestamp"]),
        "webhook-signature": String(delivered.headers["webhook-signature"]),
      });
      expect(payload).toMatchObject({ type: "video.deleted", data: { id: video.id } });
      // Long enough for a second relay round or a retry to show up if it were sent twice.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(receiver.received.filter((entry) => entry.path === "/crash")).toHaveLength(1);
    },
    SUITE_TIMEOUT_MS,
  );
});
