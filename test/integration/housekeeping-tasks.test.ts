import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { ForgetIdempotencyKeysTask } from "../../server/src/modules/jobs/application/forget-idempotency-keys.task.js";
import { PruneExpiredSessionsTask } from "../../server/src/modules/identity/application/prune-expired-sessions.task.js";
import { ResetAbandonedUploadsTask } from "../../server/src/modules/videos/application/reset-abandoned-uploads.task.js";
import { RetryObjectDeletionsTask } from "../../server/src/modules/videos/application/retry-object-deletions.task.js";
import { HOUSEKEEPING_TASK, type HousekeepingTask } from "../../server/src/shared/application/housekeeping.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";
import { RefreshSessionUseCase } from "../../server/src/modules/identity/application/refresh-session.use-case.js";
import { RegisterUserUseCase } from "../../server/src/modules/identity/application/register-user.use-case.js";
import { CreateUploadUseCase } from "../../server/src/modules/videos/application/create-upload.use-case.js";
import { CreateVideoUseCase } from "../../server/src/modules/videos/application/create-video.use-case.js";
import { DeleteVideoUseCase } from "../../server/src/modules/videos/application/delete-video.use-case.js";
import type { Caller } from "../../server/src/shared/application/caller.js";

const HOUR_MS = 3600_000;
/** UPLOAD_URL_TTL_SECONDS + ABANDONED_UPLOAD_MARGIN_SECONDS below: an upload is abandoned after this. */
const ABANDONED_AFTER_MS = (600 + 300) * 1000;

describe.each(backends())("housekeeping tasks on %s", (backend) => {
  let app: TestApp;
  let db: Database;
  let storage: ObjectStorage;
  let storageDir: string;
  let scratch: string;

  // One app for the cases, as PGlite takes seconds to open: each case asserts on its own rows.
  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), "reelbase-housekeeping-objects-"));
    scratch = await mkdtemp(path.join(tmpdir(), "reelbase-housekeeping-files-"));
    app = await createTestApp(backend, {
      LOCAL_STORAGE_DIR: storageDir,
      PUBLIC_URL: "http://127.0.0.1:9",
      UPLOAD_URL_TTL_SECONDS: "600",
      ABANDONED_UPLOAD_MARGIN_SECONDS: "300",
      IDEMPOTENCY_RETENTION_HOURS: "24",
    });
    db = app.container.get<Database>(DATABASE);
    storage = app.container.get<ObjectStorage>(OBJECT_STORAGE);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await app?.close();
    await rm(storageDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  const task = <T extends HousekeepingTask>(name: string): T => {
    const found = app.container.getAll<HousekeepingTask>(HOUSEKEEPING_TASK).find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no housekeeping task ${name}`);
    return found as T;
  };

  async function putObject(key: string): Promise<void> {
    const file = path.join(scratch, randomUUID());
    await writeFile(file, "not really a video");
    await storage.putFile(key, file, { contentType: "video/mp4" });
  }

  /** Through the use cases, as the procedures call them. */
  async function registerUser(label: string) {
    const { user, refreshToken } = await app.container
      .get(RegisterUserUseCase)
      .execute({ email: uniqueEmail(label), password: PASSWORD });
    const caller: Caller = { via: "session", userId: user.id, role: user.role, tier: user.tier, sessionId: randomUUID() };
    return { user: { id: user.id }, refreshToken, caller };
  }

  async function startedUpload(owner: { caller: Caller }) {
    const { id } = await app.container.get(CreateVideoUseCase).execute(owner.caller, { title: "Upload" });
    await startUpload(owner, id);
    const row = await db.client.video.findUniqueOrThrow({ where: { id } });
    return { id, key: row.uploadKey as string };
  }

  const startUpload = (owner: { caller: Caller }, id: string) =>
    app.container
      .get(CreateUploadUseCase)
      .execute(owner.caller, { id, filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 18 });

  const statusOf = async (id: string) => (await db.client.video.findUniqueOrThrow({ where: { id } })).status;

  it("handled events go after 30 days with their deliveries, unless a delivery is still pending; unhandled ones stay", async () => {
    const owner = await registerUser("events");
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const event = (id: string, handledAt: Date | null) => ({
      id,
      type: "video.ready",
      aggregateId: "x",
      ownerId: owner.user.id,
      data: {},
      createdAt: old,
      handledAt,
    });
    const [gone, pending, unhandled, recent] = ["gone", "pending", "unhandled", "recent"].map(
      (name) => `evt_${name}_${randomUUID()}`,
    );
    await db.client.outboxEvent.createMany({
      data: [
        event(gone as string, old),
        event(pending as string, old),
        event(unhandled as string, null),
        event(recent as string, new Date()),
      ],
    });
    const endpoint = await db.client.webhookEndpoint.create({
      data: { id: randomUUID(), ownerId: owner.user.id, url: "https://127.0.0.1/x", events: ["video.ready"], secret: "sealed" },
    });
    for (const [eventId, status] of [
      [gone, "SUCCEEDED"],
      [pending, "PENDING"],
    ] as const) {
      await db.client.webhookDelivery.create({
        data: {
          id: randomUUID(),
          endpointId: endpoint.id,
          eventId: eventId as string,
          eventType: "video.ready",
          status,
          nextAttemptAt: new Date(Date.now() + 3600_000),
        },
      });
    }
    const report = await task("outbox-events").run();
    expect(report.removed).toBeGreaterThanOrEqual(1);
    const left = await db.client.outboxEvent.findMany({
      where: { id: { in: [gone, pending, unhandled, recent] as string[] } },
      select: { id: true },
    });
    expect(left.map((row) => row.id).sort()).toEqual([pending, unhandled, recent].sort());
    expect(await db.client.webhookDelivery.count({ where: { eventId: gone as string } })).toBe(0);
  });

  it("every context registers its task, each under a name of its own", () => {
    const names = app.container.getAll<HousekeepingTask>(HOUSEKEEPING_TASK).map((candidate) => candidate.name);
    expect(names.sort()).toEqual([
      "abandoned-uploads",
      "expired-sessions",
      "expired-upload-sessions",
      "idempotency-keys",
      "object-deletions",
      "outbox-events",
      "work-dirs",
    ]);
  });

  it("an upload left past its URL's expiry plus the margin goes back to DRAFT and its object is removed; a recent one is left", async () => {
    const owner = await registerUser("uploader");
    const abandoned = await startedUpload(owner);
    await putObject(abandoned.key);
    const neverSent = await startedUpload(owner);
    app.clock.advance(ABANDONED_AFTER_MS + 1000);
    const recent = await startedUpload(owner);
    await putObject(recent.key);

    const reset = task<ResetAbandonedUploadsTask>("abandoned-uploads");
    expect(await reset.run()).toEqual({ reset: 2, objectsRemoved: 2, objectsPending: 0 });

    for (const { id } of [abandoned, neverSent]) {
      const row = await db.client.video.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: "DRAFT", uploadKey: null, uploadFilename: null });
    }
    expect(await storage.head(abandoned.key)).toBeNull();
    expect(await statusOf(recent.id)).toBe("UPLOADING");
    expect(await storage.head(recent.key)).not.toBeNull();
    // The owner can start again at once.
    await startUpload(owner, abandoned.id);
    expect(await statusOf(abandoned.id)).toBe("UPLOADING");
    // Nothing left to do: a second run touches nothing.
    expect(await reset.run()).toEqual({ reset: 0, objectsRemoved: 0, objectsPending: 0 });
  });

  it("an abandoned upload whose object cannot be removed now is recorded for a retry", async () => {
    const owner = await registerUser("uploader");
    const upload = await startedUpload(owner);
    await putObject(upload.key);
    app.clock.advance(ABANDONED_AFTER_MS + 1000);
    const realDelete = storage.delete.bind(storage);
    vi.spyOn(storage, "delete").mockImplementation(async (key) => {
      if (key === upload.key) throw new Error("storage is down");
      await realDelete(key);
    });

    const report = await task<ResetAbandonedUploadsTask>("abandoned-uploads").run();
    expect(report.reset).toBeGreaterThanOrEqual(1);
    expect(report.objectsPending).toBe(1);
    expect(await statusOf(upload.id)).toBe("DRAFT");
    const pending = await db.client.pendingObjectDeletion.findUniqueOrThrow({ where: { key: upload.key } });
    expect(pending).toMatchObject({ attempts: 1, lastError: "Error: storage is down" });
    vi.restoreAllMocks();
    await task<RetryObjectDeletionsTask>("object-deletions").run();
    expect(await db.client.pendingObjectDeletion.findUnique({ where: { key: upload.key } })).toBeNull();
    expect(await storage.head(upload.key)).toBeNull();
  });

  it("a delete the store refuses is recorded, retried with the attempts counted, and removed once it succeeds", async () => {
    const owner = await registerUser("deleter");
    const upload = await startedUpload(owner);
    await putObject(upload.key);
    const thumbnailKey = `videos/${upload.id}/thumbnail-${randomUUID()}.jpg`;
    await putObject(thumbnailKey);
    await db.client.storedFile.create({
      data: {
        id: randomUUID(),
        videoId: upload.id,
        kind: "THUMBNAIL",
        storageKey: thumbnailKey,
        contentType: "image/jpeg",
        sizeBytes: 18n,
        sha256: "0".repeat(64),
      },
    });
    const realDelete = storage.delete.bind(storage);
    const failing = vi.spyOn(storage, "delete").mockImplementation(async (key) => {
      if (key === thumbnailKey) throw new Error("503 SlowDown");
      await realDelete(key);
    });

    await app.container.get(DeleteVideoUseCase).execute(owner.caller, upload.id);
    expect(await storage.head(upload.key)).toBeNull();
    expect(await storage.head(thumbnailKey)).not.toBeNull();
    expect(await db.client.storedFile.count({ where: { videoId: upload.id } })).toBe(0);
    expect(await db.client.pendingObjectDeletion.findUniqueOrThrow({ where: { key: thumbnailKey } })).toMatchObject({
      attempts: 1,
      lastError: "Error: 503 SlowDown",
    });

    const retry = task<RetryObjectDeletionsTask>("object-deletions");
    expect(await retry.run()).toMatchObject({ failed: 1 });
    expect(await db.client.pendingObjectDeletion.findUniqueOrThrow({ where: { key: thumbnailKey } })).toMatchObject({
      attempts: 2,
    });

    failing.mockRestore();
    expect(await retry.run()).toMatchObject({ removed: 1, failed: 0 });
    expect(await db.client.pendingObjectDeletion.findUnique({ where: { key: thumbnailKey } })).toBeNull();
    expect(await storage.head(thumbnailKey)).toBeNull();
    expect(await retry.run()).toEqual({ removed: 0, failed: 0 });
  });

  it("sessions whose refresh tokens have all expired are deleted with their tokens; live ones stay", async () => {
    const old = await registerUser("old-session");
    app.clock.advance(8 * 24 * HOUR_MS);
    const fresh = await registerUser("fresh-session");
    const prune = task<PruneExpiredSessionsTask>("expired-sessions");

    const report = await prune.run();
    expect(report.removed).toBeGreaterThanOrEqual(1);
    expect(await db.client.session.count({ where: { userId: old.user.id } })).toBe(0);
    expect(await db.client.refreshToken.count({ where: { session: { userId: old.user.id } } })).toBe(0);
    expect(await db.client.session.count({ where: { userId: fresh.user.id } })).toBe(1);
    // The live session still refreshes.
    const rotated = await app.container.get(RefreshSessionUseCase).execute({ refreshToken: fresh.refreshToken });
    expect(rotated.accessToken).toBeTruthy();
    expect(await prune.run()).toEqual({ removed: 0 });
    expect(await db.client.session.count({ where: { userId: fresh.user.id } })).toBe(1);
  });

  it("ended jobs forget their idempotency key after the retention, so it can be used again; running and recent ones keep it", async () => {
    const owner = await registerUser("idempotent");
    const { id: videoId } = await app.container.get(CreateVideoUseCase).execute(owner.caller, { title: "Keys" });
    const now = app.clock.now().getTime();
    const job = (key: string, status: "SUCCEEDED" | "FAILED" | "CANCELLED" | "RUNNING", ageMs: number) => ({
      id: randomUUID(),
      videoId,
      ownerId: owner.user.id,
      type: "TRANSCODE" as const,
      status,
      params: {},
      quality: randomUUID(),
      creditsCharged: 0,
      idempotencyKey: key,
      createdAt: new Date(now - ageMs),
    });
    const rows = [
      job("old-done", "SUCCEEDED", 25 * HOUR_MS),
      job("old-failed", "FAILED", 30 * HOUR_MS),
      job("old-cancelled", "CANCELLED", 48 * HOUR_MS),
      job("old-running", "RUNNING", 25 * HOUR_MS),
      job("recent-done", "SUCCEEDED", 23 * HOUR_MS),
    ];
    await db.client.job.createMany({ data: rows });

    expect(await task<ForgetIdempotencyKeysTask>("idempotency-keys").run()).toEqual({ forgotten: 3 });
    const keys = await db.client.job.findMany({ where: { videoId }, select: { id: true, idempotencyKey: true } });
    const keyOf = (id: string) => keys.find((row) => row.id === id)?.idempotencyKey;
    expect(rows.map((row) => keyOf(row.id))).toEqual([null, null, null, "old-running", "recent-done"]);
    // The key is free: a new job of the same owner may carry it.
    await db.client.job.create({ data: { ...job("old-done", "SUCCEEDED", 0), id: randomUUID() } });
    await expect(db.client.job.create({ data: { ...job("recent-done", "SUCCEEDED", 0), id: randomUUID() } })).rejects.toThrow();

    app.clock.advance(2 * HOUR_MS);
    expect(await task<ForgetIdempotencyKeysTask>("idempotency-keys").run()).toEqual({ forgotten: 1 });
  });
});
