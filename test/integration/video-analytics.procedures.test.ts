import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError } from "../support/errors.js";
import { recordViews } from "../support/playback-views.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerAdmin, registerUser } from "../support/users.js";

const at = (iso: string) => new Date(iso);

describe.each(backends())("videos.analytics on %s", (backend) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let videoId: string;
  beforeAll(async () => {
    app = await createTestApp(backend);
    owner = await registerUser(app, "analytics");
    videoId = (await app.caller(owner.bearer).videos.create({ title: "Watched" })).id;
    await recordViews(app, videoId, [
      // The day before the range: never counted.
      at("2031-02-28T23:59:59.999Z"),
      // The first day's last instant and the next day's first: each counts on its own UTC day.
      at("2031-03-01T00:00:00.000Z"),
      at("2031-03-01T12:00:00.000Z"),
      at("2031-03-01T23:59:59.999Z"),
      at("2031-03-02T00:00:00.000Z"),
      at("2031-03-04T08:30:00.000Z"),
      at("2031-03-04T09:30:00.000Z"),
      // The day after the range.
      at("2031-03-06T00:00:00.000Z"),
    ]);
  });
  afterAll(() => app.close());

  it("counts views per UTC day, every day of the range present, zero days included", async () => {
    const analytics = await app.caller(owner.bearer).videos.analytics({ id: videoId, from: "2031-03-01", to: "2031-03-05" });
    expect(analytics).toEqual({
      from: "2031-03-01",
      to: "2031-03-05",
      total: 6,
      days: [
        { day: "2031-03-01", views: 3 },
        { day: "2031-03-02", views: 1 },
        { day: "2031-03-03", views: 0 },
        { day: "2031-03-04", views: 2 },
        { day: "2031-03-05", views: 0 },
      ],
    });
  });

  it("filters by from and to, both inclusive, and counts only this video", async () => {
    const other = (await app.caller(owner.bearer).videos.create({ title: "Other" })).id;
    await recordViews(app, other, [at("2031-03-02T10:00:00.000Z"), at("2031-03-02T11:00:00.000Z")]);
    const oneDay = await app.caller(owner.bearer).videos.analytics({ id: videoId, from: "2031-03-02", to: "2031-03-02" });
    expect(oneDay).toEqual({ from: "2031-03-02", to: "2031-03-02", total: 1, days: [{ day: "2031-03-02", views: 1 }] });
    const edges = await app.caller(owner.bearer).videos.analytics({ id: videoId, from: "2031-02-28", to: "2031-03-01" });
    expect(edges.days).toEqual([
      { day: "2031-02-28", views: 1 },
      { day: "2031-03-01", views: 3 },
    ]);
    const otherDays = await app.caller(owner.bearer).videos.analytics({ id: other, from: "2031-03-01", to: "2031-03-03" });
    expect(otherDays.total).toBe(2);
  });

  it("defaults to the 30 days ending today (UTC)", async () => {
    const now = app.clock.now();
    const fresh = (await app.caller(owner.bearer).videos.create({ title: "Today" })).id;
    await recordViews(app, fresh, [now]);
    const analytics = await app.caller(owner.bearer).videos.analytics({ id: fresh });
    const today = now.toISOString().slice(0, 10);
    expect(analytics.to).toBe(today);
    expect(analytics.days).toHaveLength(30);
    expect(analytics.days.at(-1)).toEqual({ day: today, views: 1 });
    expect(analytics.total).toBe(1);
    const untilToday = await app.caller(owner.bearer).videos.analytics({ id: fresh, to: today });
    expect(untilToday.from).toBe(analytics.from);
  });

  it("answers only the owner and admins: anyone else gets VIDEO_NOT_FOUND", async () => {
    const stranger = await registerUser(app, "stranger");
    await expectTrpcError(
      app.caller(stranger.bearer).videos.analytics({ id: videoId, from: "2031-03-01", to: "2031-03-05" }),
      "NOT_FOUND",
      "VIDEO_NOT_FOUND",
    );
    await expectTrpcError(
      app.caller(owner.bearer).videos.analytics({ id: "00000000-0000-4000-8000-000000000000" }),
      "NOT_FOUND",
      "VIDEO_NOT_FOUND",
    );
    const admin = await registerAdmin(app);
    const seen = await app.caller(admin.bearer).videos.analytics({ id: videoId, from: "2031-03-01", to: "2031-03-05" });
    expect(seen.total).toBe(6);
    const { key } = await app.caller(owner.bearer).apiKeys.create({ name: "charts", scopes: ["videos:read"] });
    const byKey = await app.caller(`ApiKey ${key}`).videos.analytics({ id: videoId, from: "2031-03-04", to: "2031-03-04" });
    expect(byKey.total).toBe(2);
    const { key: jobsOnly } = await app.caller(owner.bearer).apiKeys.create({ name: "jobs", scopes: ["jobs:read"] });
    await expectTrpcError(
      app.caller(`ApiKey ${jobsOnly}`).videos.analytics({ id: videoId }),
      "FORBIDDEN",
      "API_KEY_SCOPE_MISSING",
    );
    await expectTrpcError(app.caller().videos.analytics({ id: videoId }), "UNAUTHORIZED");
  });

  it("refuses reversed, too long and unstorable ranges with a 400 DATE_RANGE_INVALID, malformed days with VALIDATION_FAILED", async () => {
    const caller = app.caller(owner.bearer);
    const reversed = await expectTrpcError(
      caller.videos.analytics({ id: videoId, from: "2031-03-05", to: "2031-03-01" }),
      "BAD_REQUEST",
      "DATE_RANGE_INVALID",
    );
    expect(reversed.message).toContain("must not be after");
    const tooLong = await expectTrpcError(
      caller.videos.analytics({ id: videoId, from: "2030-01-01", to: "2031-01-02" }),
      "BAD_REQUEST",
      "DATE_RANGE_INVALID",
    );
    expect(tooLong.message).toContain("at most 366 days");
    expect(tooLong.cause).toMatchObject({ details: { from: "2030-01-01", to: "2031-01-02", maxDays: 366 } });
    // 366 days, leap day included, is the longest range answered.
    await expect(caller.videos.analytics({ id: videoId, from: "2028-01-01", to: "2028-12-31" })).resolves.toMatchObject({
      days: expect.arrayContaining([{ day: "2028-02-29", views: 0 }]),
    });
    // A lone `from` ends today: far back, the range is too long.
    await expectTrpcError(caller.videos.analytics({ id: videoId, from: "2020-01-01" }), "BAD_REQUEST", "DATE_RANGE_INVALID");
    // Days the database could not store once the range is filled in: the end of 9999-12-31, a default before year 1000.
    await expectTrpcError(
      caller.videos.analytics({ id: videoId, from: "9999-12-31", to: "9999-12-31" }),
      "BAD_REQUEST",
      "DATE_RANGE_INVALID",
    );
    await expectTrpcError(caller.videos.analytics({ id: videoId, to: "1000-01-05" }), "BAD_REQUEST", "DATE_RANGE_INVALID");
    await expect(caller.videos.analytics({ id: videoId, from: "1000-01-01", to: "1000-01-02" })).resolves.toMatchObject({
      total: 0,
    });
    for (const day of ["2031-02-30", "0999-12-31", "2031-3-1", "2031-03-01T00:00:00Z"]) {
      await expectTrpcError(
        caller.videos.analytics({ id: videoId, from: day, to: "2031-03-05" }),
        "BAD_REQUEST",
        "VALIDATION_FAILED",
      );
    }
  });
});
