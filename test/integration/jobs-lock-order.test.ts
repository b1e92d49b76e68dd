import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestVideo } from "../support/media-fixtures.js";
import { uploadedVideo } from "../support/processing.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";

/**
 * videos.process and a job's end (cancel, failure) both lock the video row and the credit account.
 * Taken in opposite orders they deadlocked on PostgreSQL (40P01, a 500 to the caller); no job
 * consumer runs here, so the jobs stay QUEUED and only the two procedures race.
 */
describe.each(backends())("cancels racing new process calls on one video, on %s", (backend) => {
  let app: TestApp;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "reelbase-lock-order-"));
    app = await createTestApp(backend, { LOCAL_STORAGE_DIR: path.join(dir, "objects") });
    clip = await makeTestVideo(dir, { seconds: 2, width: 160, height: 90 });
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("never deadlock, and the balance matches the jobs still active", async () => {
    for (let round = 0; round < 3; round++) {
      const user = await registerUser(app, "racer");
      const as = app.caller(user.bearer);
      const id = await uploadedVideo(app, as, clip);
      // 2 s at P360 costs 1 credit: 24 jobs fit in the 30 of sign-up.
      const first = await Promise.all(Array.from({ length: 12 }, () => as.videos.process({ id, quality: "P360" })));
      const results = await Promise.allSettled([
        ...first.map((job) => as.jobs.cancel({ id: job.id })),
        ...Array.from({ length: 12 }, () => as.videos.process({ id, quality: "P360" })),
      ]);
      const failures = results.flatMap((result) => (result.status === "rejected" ? [String(result.reason)] : []));
      expect(failures).toEqual([]);
      const jobs = (await as.jobs.list({ videoId: id, limit: 100 })).items;
      expect(jobs.filter((job) => job.status === "CANCELLED")).toHaveLength(12);
      expect((await as.credits.balance()).balance).toBe(30 - jobs.filter((job) => job.status === "QUEUED").length);
    }
  }, 120_000);
});
