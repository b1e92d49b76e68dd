import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { expectTrpcError } from "../support/errors.js";
import { recordViews } from "../support/playback-views.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerAdmin, registerUser } from "../support/users.js";

const at = (iso: string) => new Date(iso);
/** A range far from today: only the rows these tests write fall in it, whatever else the suite made. */
const RANGE = { from: "2031-05-01", to: "2031-05-03" };

describe.each(backends())("admin.stats on %s", (backend) => {
  let app: TestApp;
  let db: Database;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;
  beforeAll(async () => {
    app = await createTestApp(backend);
    db = app.container.get<Database>(DATABASE);
    admin = await registerAdmin(app);
  });
  afterAll(() => app.close());

  async function video(ownerId: string, durationSeconds: number | null, createdAt = new Date()): Promise<string> {
    const id = randomUUID();
    await db.prisma.video.create({ data: { id, ownerId, title: "stats", status: "READY", durationSeconds, createdAt } });
    return id;
  }

  async function job(
    videoId: string,
    ownerId: string,
    row: {
      type?: "TRANSCODE" | "GENERATE";
      status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
      quality: string;
    },
    createdAt: Date,
    finishedAt: Date | null = null,
  ): Promise<void> {
    await db.prisma.job.create({
      data: {
        id: randomUUID(),
        videoId,
        ownerId,
        type: row.type ?? "TRANSCODE",
        status: row.status,
        params: { quality: row.quality },
        quality: row.quality,
        creditsCharged: 1,
        createdAt,
        finishedAt,
      },
    });
  }

  it("counts jobs by type and status, source minutes, credits, active users and views of the range", async () => {
    const signedIn = await registerUser(app, "signed-in");
    const uploader = await registerUser(app, "uploader");
    const processor = await registerUser(app, "processor");
    const audited = await registerUser(app, "audited");
    // Active only today, never in 2031.
    await registerUser(app, "idle");

    // Signed in during the range: a session whose refresh token was issued then.
    const sessionId = randomUUID();
    await db.prisma.session.create({ data: { id: sessionId, userId: signedIn.user.id, createdAt: at("2031-05-02T10:00:00Z") } });
    await db.prisma.refreshToken.create({
      data: {
        id: randomUUID(),
        sessionId,
        tokenHash: randomUUID(),
        expiresAt: at("2031-05-09T10:00:00Z"),
        createdAt: at("2031-05-02T10:00:00Z"),
      },
    });
    await video(uploader.user.id, null, at("2031-05-03T23:59:59.999Z"));
    await db.prisma.auditLog.create({
      data: { id: randomUUID(), actorId: audited.user.id, action: "api_key.created", createdAt: at("2031-05-01T00:00:00Z") },
    });

    const long = await video(processor.user.id, 90);
    const short = await video(processor.user.id, 30.5);
    const generated = await video(processor.user.id, 600);
    const owner = processor.user.id;
    // Created in the range, by status; minutes from those that succeeded in the range.
    await job(long, owner, { status: "SUCCEEDED", quality: "P360" }, at("2031-05-01T00:00:00Z"), at("2031-05-02T00:00:00Z"));
    await job(short, owner, { status: "SUCCEEDED", quality: "P720" }, at("2031-05-02T00:00:00Z"), at("2031-05-03T23:59:59.999Z"));
    await job(short, owner, { status: "SUCCEEDED", quality: "P360" }, at("2031-05-03T12:00:00Z"), at("2031-05-04T00:00:00Z"));
    await job(short, owner, { status: "FAILED", quality: "P1080" }, at("2031-05-02T00:00:00Z"), at("2031-05-02T01:00:00Z"));
    await job(long, owner, { status: "QUEUED", quality: "P720" }, at("2031-05-02T00:00:00Z"));
    await job(
      generated,
      owner,
      { type: "GENERATE", status: "SUCCEEDED", quality: "P360" },
      at("2031-05-02T00:00:00Z"),
      at("2031-05-02T00:05:00Z"),
    );
    // Created before the range but finished in it: its minutes count, the job does not.
    await job(long, owner, { status: "SUCCEEDED", quality: "P1080" }, at("2031-04-30T23:00:00Z"), at("2031-05-01T00:00:00Z"));
    // After the range: neither.
    await job(long, owner, { status: "CANCELLED", quality: "P360" }, at("2031-05-04T00:00:00Z"), at("2031-05-04T00:01:00Z"));

    const entry = (seq: number, kind: "GRANT" | "CHARGE" | "REFUND" | "ADMIN_GRANT", amount: number, createdAt: Date) => ({
      id: randomUUID(),
      userId: owner,
      seq,
      kind,
      amount,
      balanceAfter: 0,
      createdAt,
    });
    await db.prisma.creditEntry.createMany({
      data: [
        entry(101, "CHARGE", -4, at("2031-05-01T00:00:00Z")),
        entry(102, "CHARGE", -2, at("2031-05-02T00:00:00Z")),
        entry(103, "REFUND", 2, at("2031-05-02T01:00:00Z")),
        entry(104, "ADMIN_GRANT", 10, at("2031-05-03T00:00:00Z")),
        entry(105, "GRANT", 30, at("2031-05-03T23:59:59.999Z")),
        entry(106, "CHARGE", -100, at("2031-04-30T23:59:59.999Z")),
        entry(107, "REFUND", 100, at("2031-05-04T00:00:00Z")),
      ],
    });

    await recordViews(app, long, [
      at("2031-04-30T23:59:59.999Z"),
      at("2031-05-01T00:00:00Z"),
      at("2031-05-01T15:00:00Z"),
      at("2031-05-03T23:59:59.999Z"),
      at("2031-05-04T00:00:00Z"),
    ]);

    const stats = await app.caller(admin.bearer).admin.stats(RANGE);
    expect(stats).toMatchObject({
      from: "2031-05-01",
      to: "2031-05-03",
      jobs: {
        TRANSCODE: { QUEUED: 1, RUNNING: 0, SUCCEEDED: 3, FAILED: 1, CANCELLED: 0 },
        GENERATE: { QUEUED: 0, RUNNING: 0, SUCCEEDED: 1, FAILED: 0, CANCELLED: 0 },
      },
      // 90 + 30.5 + 90 seconds of TRANSCODE sources that succeeded in the range.
      sourceMinutesProcessed: 3.51,
      credits: { charged: 6, refunded: 2, granted: 30, adminGranted: 10 },
      activeUsers: 4,
      views: 3,
    });

    const lastDay = await app.caller(admin.bearer).admin.stats({ from: "2031-05-03", to: "2031-05-03" });
    expect(lastDay).toMatchObject({
      views: 1,
      activeUsers: 2,
      credits: { charged: 0, refunded: 0, granted: 30, adminGranted: 10 },
    });
  });

  it("sums every stored file now, by kind", async () => {
    const before = await app.caller(admin.bearer).admin.stats(RANGE);
    const { user } = await registerUser(app, "storer");
    const videoId = await video(user.id, 10);
    const file = (kind: "SOURCE" | "RENDITION" | "THUMBNAIL", sizeBytes: bigint) => ({
      id: randomUUID(),
      videoId,
      kind,
      storageKey: `stats/${randomUUID()}`,
      contentType: "video/mp4",
      sizeBytes,
      sha256: "0".repeat(64),
    });
    await db.prisma.storedFile.createMany({
      data: [file("SOURCE", 5_000_000_000n), file("RENDITION", 2_000n), file("RENDITION", 3_000n), file("THUMBNAIL", 50n)],
    });
    const after = await app.caller(admin.bearer).admin.stats(RANGE);
    expect({
      SOURCE: after.storage.SOURCE.bytes - before.storage.SOURCE.bytes,
      RENDITION: after.storage.RENDITION.bytes - before.storage.RENDITION.bytes,
      THUMBNAIL: after.storage.THUMBNAIL.bytes - before.storage.THUMBNAIL.bytes,
      total: after.storage.totalBytes - before.storage.totalBytes,
      files: [
        after.storage.SOURCE.files - before.storage.SOURCE.files,
        after.storage.RENDITION.files - before.storage.RENDITION.files,
        after.storage.THUMBNAIL.files - before.storage.THUMBNAIL.files,
      ],
    }).toEqual({ SOURCE: 5_000_000_000, RENDITION: 5_000, THUMBNAIL: 50, total: 5_000_005_050, files: [1, 2, 1] });
  });

  it("defaults to the 30 days ending today, where today's sign-ups are active", async () => {
    const stats = await app.caller(admin.bearer).admin.stats({});
    const today = app.clock.now().toISOString().slice(0, 10);
    expect(stats.to).toBe(today);
    expect((Date.parse(stats.to) - Date.parse(stats.from)) / 86_400_000).toBe(29);
    // The admin (and every user registered above) signed up today.
    expect(stats.activeUsers).toBeGreaterThanOrEqual(1);
    expect(stats.credits.granted).toBeGreaterThanOrEqual(30);
  });

  it("answers administrators only, and refuses bad ranges with a 400", async () => {
    const user = await registerUser(app, "not-admin");
    await expectTrpcError(app.caller(user.bearer).admin.stats(RANGE), "FORBIDDEN", "ADMIN_REQUIRED");
    const { key } = await app.caller(admin.bearer).apiKeys.create({ name: "stats", scopes: ["videos:read", "jobs:read"] });
    await expectTrpcError(app.caller(`ApiKey ${key}`).admin.stats(RANGE), "FORBIDDEN", "API_KEY_NOT_ALLOWED");
    await expectTrpcError(app.caller().admin.stats(RANGE), "UNAUTHORIZED");
    await expectTrpcError(
      app.caller(admin.bearer).admin.stats({ from: "2031-05-03", to: "2031-05-01" }),
      "BAD_REQUEST",
      "DATE_RANGE_INVALID",
    );
    await expectTrpcError(
      app.caller(admin.bearer).admin.stats({ from: "2030-05-01", to: "2031-05-03" }),
      "BAD_REQUEST",
      "DATE_RANGE_INVALID",
    );
    await expectTrpcError(app.caller(admin.bearer).admin.stats({ to: "10000-01-01" }), "BAD_REQUEST", "VALIDATION_FAILED");
  });
});
