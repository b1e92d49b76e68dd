-- A job can be run again (jobs.retry), each run charged and refunded on its own.

-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "run" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "credit_entries" ADD COLUMN     "job_run" INTEGER;

-- Every entry written so far belongs to a job's first (and only) run.
UPDATE "credit_entries" SET "job_run" = 1 WHERE "job_id" IS NOT NULL;

-- Built before the old index goes, so no moment holds neither.
CREATE UNIQUE INDEX "credit_entries_job_id_job_run_kind_key" ON "credit_entries"("job_id", "job_run", "kind");

-- DropIndex
DROP INDEX "credit_entries_job_id_kind_key";
