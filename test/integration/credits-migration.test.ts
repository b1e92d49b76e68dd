import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, type MigrationPaths } from "../../server/src/database/migrations/migrate.js";
import { backends, copyPrismaDir, migrationNames, type Fixture } from "../support/migration-fixtures.js";

describe.each(backends)("on $name", ({ open }) => {
  describe("the credits migration", () => {
    let fx: Fixture;
    let paths: MigrationPaths & { root: string };
    let creditsMigration: string | undefined;
    beforeAll(async () => {
      fx = await open();
      paths = await copyPrismaDir();
      [creditsMigration] = (await migrationNames(paths.migrationsDir)).filter((name) => name.endsWith("_add_credits"));
    });
    afterAll(async () => {
      await fx?.close();
      if (paths) await rm(paths.root, { recursive: true, force: true });
    });

    it("gives every existing user the sign-up grant of their current tier", async () => {
      expect(creditsMigration).toBeDefined();
      const parked = path.join(paths.root, "parked");
      // Apply everything before it, as a database deployed before credits existed.
      const later = (await migrationNames(paths.migrationsDir)).filter((name) => name >= creditsMigration!);
      await mkdir(parked);
      for (const name of later) await cp(path.join(paths.migrationsDir, name), path.join(parked, name), { recursive: true });
      for (const name of later) await rm(path.join(paths.migrationsDir, name), { recursive: true });
      await applyMigrations(fx.target, paths);
      await fx.query(`
        INSERT INTO users (id, email, password_hash, tier, updated_at) VALUES
          ('00000000-0000-4000-8000-000000000001', 'free@example.com', 'x', 'FREE', now()),
          ('00000000-0000-4000-8000-000000000002', 'premium@example.com', 'x', 'PREMIUM', now())`);

      for (const name of later) await cp(path.join(parked, name), path.join(paths.migrationsDir, name), { recursive: true });
      expect((await applyMigrations(fx.target, paths)).applied).toContain(creditsMigration);

      const accounts = await fx.query<{ email: string; balance: number; last_seq: number }>(
        "SELECT u.email, a.balance, a.last_seq FROM credit_accounts a JOIN users u ON u.id = a.user_id ORDER BY u.email",
      );
      expect(accounts).toEqual([
        { email: "free@example.com", balance: 30, last_seq: 1 },
        { email: "premium@example.com", balance: 300, last_seq: 1 },
      ]);
      const entries = await fx.query<{ email: string; kind: string; amount: number; balance_after: number; seq: number }>(
        "SELECT u.email, e.kind::text AS kind, e.amount, e.balance_after, e.seq FROM credit_entries e JOIN users u ON u.id = e.user_id ORDER BY u.email",
      );
      expect(entries).toEqual([
        { email: "free@example.com", kind: "GRANT", amount: 30, balance_after: 30, seq: 1 },
        { email: "premium@example.com", kind: "GRANT", amount: 300, balance_after: 300, seq: 1 },
      ]);
    });

    it("adds the CHECK constraint that keeps balances non-negative", async () => {
      await expect(fx.query("UPDATE credit_accounts SET balance = balance - 31")).rejects.toThrow(
        /credit_accounts_balance_check/,
      );
    });
  });
});
