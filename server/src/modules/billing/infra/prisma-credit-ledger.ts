import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { APP_CONFIG, type AppConfig } from "../../../config/config.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../../shared/application/event-outbox.js";
import { METRICS, type Metrics } from "../../../shared/application/metrics.js";
import { newEventId } from "../../../shared/domain/domain-event.js";
import { newId } from "../../../shared/domain/ids.js";
import type { CreditLedger } from "../application/credit-ledger.js";
import { BillingErrors } from "../domain/billing.errors.js";
import { MAX_BALANCE, assertCreditAmount, fellUnder } from "../domain/credit-rules.js";
import { isUniqueViolation } from "../../../database/unique-violation.js";

/**
 * Every write takes the account row's lock first (an UPDATE, or SELECT … FOR UPDATE), so a user's
 * writes happen one after another and each entry's seq and balance_after are exact, whatever the
 * concurrency. Every method joins the caller's unit of work when there is one. Outside one, each is
 * a single, atomic statement that opens no transaction: under a burst, interactive transactions
 * queue for the pool and fail after Prisma's maxWait (P2028) before running.
 */
@injectable()
export class PrismaCreditLedger implements CreditLedger {
  constructor(
    @inject(DATABASE) private readonly db: Database,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(METRICS) private readonly metrics: Metrics,
    @inject(EVENT_OUTBOX) private readonly outbox: EventOutbox,
    @inject(APP_CONFIG) private readonly config: Pick<AppConfig, "webhooks">,
  ) {}

  async charge(input: { userId: string; amount: number; jobId: string; run: number }): Promise<{ balanceAfter: number }> {
    assertCreditAmount(input.amount);
    const now = this.clock.now();
    let rows: { balance_after: number }[];
    try {
      // One statement: the conditional UPDATE is the charge (no row when the balance is short), and
      // the entry is inserted from what it returned, so neither can happen without the other.
      rows = await this.db.client.$queryRaw<{ balance_after: number }[]>`
        WITH account AS (
          UPDATE credit_accounts
          SET balance = balance - ${input.amount}::int, last_seq = last_seq + 1, updated_at = ${now}::timestamptz
          WHERE user_id = ${input.userId}::uuid AND balance >= ${input.amount}::int
          RETURNING user_id, balance, last_seq
        )
        INSERT INTO credit_entries (id, user_id, seq, kind, amount, balance_after, job_id, job_run, created_at)
        SELECT ${newId()}::uuid, user_id, last_seq, 'CHARGE'::"CreditEntryKind", -${input.amount}::int, balance,
               ${input.jobId}::uuid, ${input.run}::int, ${now}::timestamptz
        FROM account
        RETURNING balance_after`;
    } catch (error) {
      if (isUniqueViolation(error)) throw BillingErrors.jobAlreadyCharged(input.jobId);
      throw error;
    }
    const [row] = rows;
    if (!row) throw BillingErrors.insufficientCredits(input.amount);
    const threshold = this.config.webhooks.creditsLowThreshold;
    if (fellUnder(threshold, row.balance_after + input.amount, row.balance_after)) {
      // In the charge's unit of work (a paid job's transaction), so the event exists exactly when the charge does.
      await this.outbox.append([
        {
          id: newEventId(),
          type: "credits.low",
          aggregateId: input.userId,
          ownerId: input.userId,
          occurredAt: now,
          data: { userId: input.userId, balance: row.balance_after, threshold, jobId: input.jobId },
        },
      ]);
    }
    // Counted once committed: a charge its transaction rolls back was never taken.
    await this.db.afterCommit(async () => this.metrics.creditsCharged(input.amount));
    return { balanceAfter: row.balance_after };
  }

  async refund(input: { jobId: string; run: number; reason: string }): Promise<boolean> {
    const now = this.clock.now();
    // One statement, so it never waits for a transaction slot: lock the charged account (FOR UPDATE
    // waits for any other write of that user and then reads the latest balance), claim the refund
    // (a second refund of the job, concurrent or later, inserts nothing and so updates nothing),
    // then give the amount back. Never a P2002, which would abort the caller's transaction.
    const rows = await this.db.client.$queryRaw<{ balance: number; amount: number }[]>`
      WITH charge AS (
        SELECT user_id, -amount AS amount FROM credit_entries
        WHERE job_id = ${input.jobId}::uuid AND job_run = ${input.run}::int AND kind = 'CHARGE'::"CreditEntryKind"
      ),
      account AS (
        SELECT a.user_id, a.balance, a.last_seq, charge.amount
        FROM credit_accounts a JOIN charge ON charge.user_id = a.user_id
        FOR UPDATE OF a
      ),
      claimed AS (
        INSERT INTO credit_entries (id, user_id, seq, kind, amount, balance_after, job_id, job_run, reason, created_at)
        SELECT ${newId()}::uuid, user_id, last_seq + 1, 'REFUND'::"CreditEntryKind", amount, balance + amount,
               ${input.jobId}::uuid, ${input.run}::int, ${input.reason}, ${now}::timestamptz
        FROM account
        ON CONFLICT (job_id, job_run, kind) DO NOTHING
        RETURNING user_id, amount
      )
      UPDATE credit_accounts a
      SET balance = a.balance + claimed.amount, last_seq = a.last_seq + 1, updated_at = ${now}::timestamptz
      FROM claimed
      WHERE a.user_id = claimed.user_id
      RETURNING a.balance, claimed.amount`;
    const [refunded] = rows;
    if (!refunded) return false;
    await this.db.afterCommit(async () => this.metrics.creditsRefunded(Number(refunded.amount)));
    return true;
  }

  async grant(input: {
    userId: string;
    amount: number;
    kind: "GRANT" | "ADMIN_GRANT";
    actorId?: string | null;
    reason?: string | null;
  }): Promise<{ balanceAfter: number }> {
    assertCreditAmount(input.amount);
    const now = this.clock.now();
    // Opens the account on the first grant (sign-up); a grant that would pass MAX_BALANCE updates nothing.
    const [row] = await this.db.client.$queryRaw<{ balance_after: number }[]>`
      WITH account AS (
        INSERT INTO credit_accounts AS a (user_id, balance, last_seq, updated_at)
        VALUES (${input.userId}::uuid, ${input.amount}::int, 1, ${now}::timestamptz)
        ON CONFLICT (user_id) DO UPDATE
        SET balance = a.balance + EXCLUDED.balance, last_seq = a.last_seq + 1, updated_at = EXCLUDED.updated_at
        WHERE a.balance <= ${MAX_BALANCE - input.amount}::int
        RETURNING user_id, balance, last_seq
      )
      INSERT INTO credit_entries (id, user_id, seq, kind, amount, balance_after, reason, actor_id, created_at)
      SELECT ${newId()}::uuid, user_id, last_seq, ${input.kind}::"CreditEntryKind", ${input.amount}::int, balance,
             ${input.reason ?? null}, ${input.actorId ?? null}::uuid, ${now}::timestamptz
      FROM account
      RETURNING balance_after`;
    if (!row) throw BillingErrors.balanceLimit(MAX_BALANCE);
    return { balanceAfter: row.balance_after };
  }

  async balanceOf(userId: string): Promise<number> {
    const account = await this.db.client.creditAccount.findUnique({ where: { userId }, select: { balance: true } });
    return account?.balance ?? 0;
  }
}
