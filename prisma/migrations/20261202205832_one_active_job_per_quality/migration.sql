-- Every job renders at one quality: give it a column of its own, filled from the parameters.
ALTER TABLE "jobs" ADD COLUMN "quality" TEXT;
UPDATE "jobs" SET "quality" = "params"->>'quality';
ALTER TABLE "jobs" ALTER COLUMN "quality" SET NOT NULL;

-- Earlier code accepted a second job for a quality already queued or running on the video. Keep the
-- oldest active job of each video and quality; cancel the others and refund what they were charged,
-- as a cancellation through the API would, so the unique index below can be built.
CREATE TEMPORARY TABLE "duplicate_active_jobs" AS
SELECT "id", "owner_id", "credits_charged"
FROM (
  SELECT "id", "owner_id", "credits_charged",
         row_number() OVER (PARTITION BY "video_id", "quality" ORDER BY "created_at", "id") AS "rank"
  FROM "jobs"
  WHERE "status" IN ('QUEUED', 'RUNNING')
) AS "ranked"
WHERE "rank" > 1;

UPDATE "jobs"
SET "status" = 'CANCELLED',
    "last_error" = 'Cancelled on upgrade: another job for this quality was already active',
    "finished_at" = now(),
    "updated_at" = now(),
    "revision" = "revision" + 1
WHERE "id" IN (SELECT "id" FROM "duplicate_active_jobs");

WITH "refunds" AS (
  SELECT d."id" AS "job_id", d."owner_id", d."credits_charged",
         a."last_seq" + row_number() OVER (PARTITION BY d."owner_id" ORDER BY d."id") AS "seq",
         a."balance" + sum(d."credits_charged") OVER (PARTITION BY d."owner_id" ORDER BY d."id") AS "balance_after"
  FROM "duplicate_active_jobs" d
  JOIN "credit_accounts" a ON a."user_id" = d."owner_id"
  WHERE d."credits_charged" > 0
    AND NOT EXISTS (SELECT 1 FROM "credit_entries" e WHERE e."job_id" = d."id" AND e."kind" = 'REFUND')
), "entries" AS (
  INSERT INTO "credit_entries" ("id", "user_id", "seq", "kind", "amount", "balance_after", "job_id", "reason")
  SELECT gen_random_uuid(), "owner_id", "seq", 'REFUND', "credits_charged", "balance_after", "job_id",
         'duplicate active job cancelled on upgrade'
  FROM "refunds"
  RETURNING "user_id", "seq", "balance_after"
)
UPDATE "credit_accounts" a
SET "balance" = latest."balance_after", "last_seq" = latest."seq", "updated_at" = now()
FROM (
  SELECT DISTINCT ON ("user_id") "user_id", "seq", "balance_after"
  FROM "entries"
  ORDER BY "user_id", "seq" DESC
) AS latest
WHERE a."user_id" = latest."user_id";

DROP TABLE "duplicate_active_jobs";

-- At most one active (QUEUED or RUNNING) job per video and quality, also when requests race.
CREATE UNIQUE INDEX "jobs_one_active_per_quality" ON "jobs"("video_id", "quality") WHERE (status IN ('QUEUED', 'RUNNING'));
