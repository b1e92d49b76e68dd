-- CreateEnum
CREATE TYPE "CreditEntryKind" AS ENUM ('GRANT', 'CHARGE', 'REFUND', 'ADMIN_GRANT');

-- CreateTable
CREATE TABLE "credit_accounts" (
    "user_id" UUID NOT NULL,
    "balance" INTEGER NOT NULL,
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "credit_accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "credit_entries" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "CreditEntryKind" NOT NULL,
    "amount" INTEGER NOT NULL,
    "balance_after" INTEGER NOT NULL,
    "job_id" UUID,
    "reason" TEXT,
    "actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "credit_entries_user_id_created_at_id_idx" ON "credit_entries"("user_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "credit_entries_user_id_seq_key" ON "credit_entries"("user_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "credit_entries_job_id_kind_key" ON "credit_entries"("job_id", "kind");

-- AddForeignKey
ALTER TABLE "credit_accounts" ADD CONSTRAINT "credit_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "credit_accounts"("user_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma's schema cannot express CHECK constraints). The charge is a conditional
-- UPDATE (balance >= amount); these make a negative balance impossible even for a statement that forgets it.
ALTER TABLE "credit_accounts" ADD CONSTRAINT "credit_accounts_balance_check" CHECK ("balance" >= 0);
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_balance_after_check" CHECK ("balance_after" >= 0);
-- The sign convention: a CHARGE takes credits (amount < 0), every other kind gives them (amount > 0).
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_amount_sign_check"
    CHECK (CASE WHEN "kind" = 'CHARGE' THEN "amount" < 0 ELSE "amount" > 0 END);

-- Backfill: every user that exists before credits gets the sign-up grant of their current tier
-- (30 FREE, 300 PREMIUM; the same numbers as signupGrant() in modules/billing/domain).
INSERT INTO "credit_accounts" ("user_id", "balance", "last_seq", "updated_at")
SELECT "id", CASE "tier" WHEN 'PREMIUM' THEN 300 ELSE 30 END, 1, CURRENT_TIMESTAMP
FROM "users";

INSERT INTO "credit_entries" ("id", "user_id", "seq", "kind", "amount", "balance_after", "reason", "created_at")
SELECT gen_random_uuid(), "user_id", 1, 'GRANT', "balance", "balance", 'sign-up grant', CURRENT_TIMESTAMP
FROM "credit_accounts";
