import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "../../server/src/modules/videos/application/video.repository.js";
import { CACHE, type Cache } from "../../server/src/shared/application/cache.js";
import { expectTrpcError } from "../support/errors.js";
import { openTestApp, testConfig, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
/** Each change is repeated: one lucky ordering of messages and requests proves little. */
const ROUNDS = 3;

/**
 * Two API processes of one deployment (one PostgreSQL, one Redis): a video read in B is served
 * from B's memory, and a change made through A is seen by B's very next read.
 */
describe.runIf(postgresUrl && redisUrl)("videos cached in each API process and invalidated from any", () => {
  let a: TestApp;
  let b: TestApp;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const test = await testConfig("postgres", { REDIS_URL: redisUrl ?? "" });
    dispose = test.dispose;
    a = await openTestApp(test.config);
    b = await openTestApp(test.config);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await dispose();
  });

  /** Reads until the process's near cache is live (it trusts itself only once its subscription is). */
  async function warm(app: TestApp, bearer: string, id: string): Promise<void> {
    const database = app.container.get<Database>(DATABASE);
    await vi.waitFor(
      async () => {
        await app.caller(bearer).videos.get({ id });
        const queries = vi.spyOn(database, "client", "get");
        try {
          await app.caller(bearer).videos.get({ id });
          expect(queries).not.toHaveBeenCalled();
        } finally {
          queries.mockRestore();
        }
      },
      { timeout: 10_000, interval: 50 },
    );
  }

  it("serves a warm videos.get with no database and no Redis round trip", async () => {
    const owner = await registerUser(a, "near-video");
    const video = await a.caller(owner.bearer).videos.create({ title: "cached" });
    await warm(b, owner.bearer, video.id);
    const queries = vi.spyOn(b.container.get<Database>(DATABASE), "client", "get");
    const redisReads = vi.spyOn(b.container.get<Cache>(CACHE), "get");
    for (let i = 0; i < 5; i++)
      await expect(b.caller(owner.bearer).videos.get({ id: video.id })).resolves.toMatchObject({ title: "cached" });
    expect(queries).not.toHaveBeenCalled();
    expect(redisReads).not.toHaveBeenCalled();
    queries.mockRestore();
    redisReads.mockRestore();
  });

  it("shows an update made in another process on the next read", async () => {
    const owner = await registerUser(a, "near-update");
    const video = await a.caller(owner.bearer).videos.create({ title: "v0" });
    await warm(b, owner.bearer, video.id);
    for (let round = 1; round <= ROUNDS; round++) {
      await a.caller(owner.bearer).videos.update({ id: video.id, title: `v${round}` });
      await expect(b.caller(owner.bearer).videos.get({ id: video.id })).resolves.toMatchObject({ title: `v${round}` });
    }
  });

  it("answers NOT_FOUND on the next read after another process deletes the video", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const owner = await registerUser(a, `near-delete-${round}`);
      const video = await a.caller(owner.bearer).videos.create({ title: "doomed" });
      await warm(b, owner.bearer, video.id);
      await a.caller(owner.bearer).videos.delete({ id: video.id });
      await expectTrpcError(b.caller(owner.bearer).videos.get({ id: video.id }), "NOT_FOUND");
    }
  });

  it("sees a save made by a repository write inside a unit of work only after it commits", async () => {
    const owner = await registerUser(a, "near-uow");
    const video = await a.caller(owner.bearer).videos.create({ title: "before" });
    await warm(b, owner.bearer, video.id);
    const database = a.container.get<Database>(DATABASE);
    const videos = a.container.get<VideoRepository>(VIDEO_REPOSITORY);
    await database.transaction(async () => {
      const loaded = await videos.findByIdForWrite(video.id);
      if (!loaded) throw new Error("video vanished");
      loaded.edit({ title: "after" }, new Date());
      await videos.save(loaded);
      // Not committed: B still serves the committed title, and must not keep it past the commit.
      await expect(b.caller(owner.bearer).videos.get({ id: video.id })).resolves.toMatchObject({ title: "before" });
    });
    await expect(b.caller(owner.bearer).videos.get({ id: video.id })).resolves.toMatchObject({ title: "after" });
  });
});
