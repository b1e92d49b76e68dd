import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { keysetPage } from "../../../database/keyset.js";
import type { Job as JobRow } from "../../../generated/prisma/client.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../../shared/application/event-outbox.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import type { Quality } from "../../../shared/domain/quality.js";
import type { JobListFilter, JobRepository } from "../application/job.repository.js";
import { ACTIVE_JOB_STATUSES } from "../domain/job-status.js";
import { Job, type JobState } from "../domain/job.entity.js";
import { isUniqueViolation } from "../../../database/unique-violation.js";
import { parseJobSpec } from "./job-spec.schema.js";

@injectable()
export class PrismaJobRepository implements JobRepository {
  constructor(
    @inject(DATABASE) private readonly db: Database,
    @inject(EVENT_OUTBOX) private readonly outbox: EventOutbox,
  ) {}

  async create(job: Job): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a duplicate idempotency key, or a second active job for the video's quality,
    // neither throws nor aborts the surrounding transaction.
    const { count } = await this.db.client.job.createMany({ data: [toRow(job.toState())], skipDuplicates: true });
    if (count === 1) job.markSaved();
    return count === 1;
  }

  async findById(id: string): Promise<Job | null> {
    const row = await this.db.client.job.findUnique({ where: { id } });
    return row ? toJob(row) : null;
  }

  async findByIdempotencyKey(ownerId: string, key: string): Promise<Job | null> {
    const row = await this.db.client.job.findUnique({ where: { ownerId_idempotencyKey: { ownerId, idempotencyKey: key } } });
    return row ? toJob(row) : null;
  }

  async list(filter: JobListFilter, page: { cursor?: string | undefined; limit: number }): Promise<Page<Job>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.job.findMany({
      where: {
        AND: [
          { ownerId: filter.ownerId },
          filter.videoId ? { videoId: filter.videoId } : {},
          filter.status ? { status: filter.status } : {},
          filter.type ? { type: filter.type } : {},
          after,
        ],
      },
      ...order,
    });
    return toPage(rows, page.limit, toJob);
  }

  async findActive(videoId: string, quality: Quality): Promise<Job | null> {
    const row = await this.db.client.job.findFirst({ where: { videoId, quality, status: { in: [...ACTIVE_JOB_STATUSES] } } });
    return row ? toJob(row) : null;
  }

  async listActiveByVideo(videoId: string): Promise<Job[]> {
    const rows = await this.db.client.job.findMany({
      where: { videoId, status: { in: [...ACTIVE_JOB_STATUSES] } },
      orderBy: { createdAt: "asc" },
    });
    return rows.map(toJob);
  }

  async save(job: Job): Promise<boolean> {
    const { id, videoId: _v, ownerId: _o, createdAt: _c, idempotencyKey: _k, ...changes } = toRow(job.toState());
    const events = job.events.take();
    const write = async (): Promise<boolean> => {
      let count: number;
      try {
        ({ count } = await this.db.client.job.updateMany({ where: { id, revision: job.expectedRevision }, data: changes }));
      } catch (error) {
        // Only a retried job can meet the one-active-job index here (another job of its quality came first).
        if (isUniqueViolation(error)) return false;
        throw error;
      }
      // A lost save's events never happened: they are dropped with it.
      if (count === 1 && events.length > 0) await this.outbox.append(events);
      return count === 1;
    };
    // Progress saves carry no events and stay one statement; an end and its events commit together.
    const saved = events.length > 0 ? await this.db.transaction(write) : await write();
    if (saved) job.markSaved();
    return saved;
  }
}

function toRow(state: Readonly<JobState>) {
  // The quality column mirrors the parameter so the partial unique index can hold one active job per quality.
  return { ...state, params: { ...state.params }, quality: state.params.quality };
}

function toJob(row: JobRow): Job {
  const { runAfter: _runAfter, quality: _quality, type: _type, params: _params, ...fields } = row;
  return Job.rehydrate({ ...fields, ...parseJobSpec(row) });
}
