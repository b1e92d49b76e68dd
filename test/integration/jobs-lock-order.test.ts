import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodeOf } from "../../server/src/trpc/error-mapping.js";
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
      // 2 s costs 1 credit at P360 and 2 at P720; one active job per quality.
      const first = await Promise.all((["P360", "P720"] as const).map((quality) => as.videos.process({ id, quality })));
      const results = await Promise.allSettled([
        ...first.map((job) => as.jobs.cancel({ id: job.id })),
        ...Array.from({ length: 12 }, (_, n) => as.videos.process({ id, quality: n % 2 ? "P720" : "P360" })),
      ]);
      // Losing the race for a quality is a clear 409; a deadlock would be a 500.
      const failures = results.flatMap((result) => (result.status === "rejected" ? [errorCodeOf(result.reason)] : []));
      expect(failures.filter((code) => code !== "JOB_ALREADY_ACTIVE" && code !== "CONCURRENT_MODIFICATION")).toEqual([]);
      const jobs = (await as.jobs.list({ videoId: id, limit: 100 })).items;
      expect(jobs.filter((job) => job.status === "CANCELLED")).toHaveLength(2);
      const queued = jobs.filter((job) => job.status === "QUEUED");
      expect(queued.length).toBeLessThanOrEqual(2);
      expect((await as.credits.balance()).balance).toBe(30 - queued.reduce((sum, job) => sum + job.creditsCharged, 0));
      for (const job of queued) await as.jobs.cancel({ id: job.id });
    }
  }, 120_000);
});
