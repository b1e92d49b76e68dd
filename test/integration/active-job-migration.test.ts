import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, type MigrationPaths } from "../../server/src/database/migrations/migrate.js";
import { backends, copyPrismaDir, migrationNames, type Fixture } from "../support/migration-fixtures.js";

const USER = "00000000-0000-4000-8000-000000000001";
const VIDEO = "00000000-0000-4000-8000-0000000000a1";
const job = (n: number) => `00000000-0000-4000-8000-0000000000b${n}`;

describe.each(backends)("on $name", ({ open }) => {
  describe("the one-active-job-per-quality migration", () => {
    let fx: Fixture;
    let paths: MigrationPaths & { root: string };
    beforeAll(async () => {
      fx = await open();
      paths = await copyPrismaDir();
    });
    afterAll(async () => {
      await fx?.close();
      if (paths) await rm(paths.root, { recursive: true, force: true });
    });

    it("keeps the oldest active job of a quality, cancels and refunds the duplicates, then enforces the rule", async () => {
      const [migration] = (await migrationNames(paths.migrationsDir)).filter((name) =>
        name.endsWith("_one_active_job_per_quality"),
      );
      expect(migration).toBeDefined();
      // A database deployed before the rule, holding duplicates the old code accepted.
      const later = (await migrationNames(paths.migrationsDir)).filter((name) => name >= migration!);
      const parked = path.join(paths.root, "parked");
      await mkdir(parked);
      for (const name of later) await cp(path.join(paths.migrationsDir, name), path.join(parked, name), { recursive: true });
      for (const name of later) await rm(path.join(paths.migrationsDir, name), { recursive: true });
      await applyMigrations(fx.target, paths);
      await fx.query(
        `INSERT INTO users (id, email, password_hash, updated_at) VALUES ('${USER}', 'dup@example.com', 'x', now())`,
      );
      // Its account: 30 granted, 18 charged by the three P360 jobs.
      await fx.query(`INSERT INTO credit_accounts (user_id, balance, last_seq, updated_at) VALUES ('${USER}', 12, 4, now())`);
      await fx.query(
        `INSERT INTO videos (id, owner_id, title, status, updated_at) VALUES ('${VIDEO}', '${USER}', 'dup', 'PROCESSING', now())`,
      );
      await fx.query(`
        INSERT INTO jobs (id, video_id, owner_id, type, status, params, credits_charged, created_at) VALUES
          ('${job(1)}', '${VIDEO}', '${USER}', 'TRANSCODE', 'RUNNING', '{"quality":"P360"}', 6, now() - interval '3 minutes'),
          ('${job(2)}', '${VIDEO}', '${USER}', 'TRANSCODE', 'QUEUED', '{"quality":"P360"}', 6, now() - interval '2 minutes'),
          ('${job(3)}', '${VIDEO}', '${USER}', 'TRANSCODE', 'QUEUED', '{"quality":"P360"}', 6, now() - interval '1 minute'),
          ('${job(4)}', '${VIDEO}', '${USER}', 'TRANSCODE', 'SUCCEEDED', '{"quality":"P720"}', 2, now())`);

      for (const name of later) await cp(path.join(parked, name), path.join(paths.migrationsDir, name), { recursive: true });
      expect((await applyMigrations(fx.target, paths)).applied).toContain(migration);

      const jobs = await fx.query<{ id: string; status: string; quality: string }>(
        "SELECT id::text, status::text AS status, quality FROM jobs ORDER BY id",
      );
      expect(jobs).toEqual([
        { id: job(1), status: "RUNNING", quality: "P360" },
        { id: job(2), status: "CANCELLED", quality: "P360" },
        { id: job(3), status: "CANCELLED", quality: "P360" },
        { id: job(4), status: "SUCCEEDED", quality: "P720" },
      ]);
      const refunds = await fx.query<{ seq: number; amount: number; balance_after: number; job_id: string }>(
        "SELECT seq, amount, balance_after, job_id::text FROM credit_entries WHERE kind = 'REFUND' ORDER BY seq",
      );
      expect(refunds).toEqual([
        { seq: 5, amount: 6, balance_after: 18, job_id: job(2) },
        { seq: 6, amount: 6, balance_after: 24, job_id: job(3) },
      ]);
      expect(await fx.query("SELECT balance, last_seq FROM credit_accounts")).toEqual([{ balance: 24, last_seq: 6 }]);
    });

    it("refuses a second active job for the quality afterwards, and allows one for another quality", async () => {
      const insert = (id: string, quality: string) =>
        fx.query(`INSERT INTO jobs (id, video_id, owner_id, type, status, params, quality, credits_charged)
          VALUES ('${id}', '${VIDEO}', '${USER}', 'TRANSCODE', 'QUEUED', '{"quality":"${quality}"}', '${quality}', 1)`);
      await expect(insert(job(5), "P360")).rejects.toThrow(/jobs_one_active_per_quality/);
      await expect(insert(job(6), "P1080")).resolves.toBeDefined();
    });
  });
});
