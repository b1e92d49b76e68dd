import { inject, injectable, multiInject } from "inversify";
import { CLOCK, type Clock } from "../../../shared/application/clock.js";
import { EVENT_BUS, listen, type EventBus } from "../../../shared/application/event-bus.js";
import type { JobDelivery, JobRunOutcome } from "../../../shared/application/job-queue.js";
import { LOGGER, type Logger } from "../../../shared/application/logger.js";
import { METRICS, type JobOutcome, type Metrics } from "../../../shared/application/metrics.js";
import { DomainError } from "../../../shared/domain/domain-error.js";
import type { Job } from "../domain/job.entity.js";
import { JobErrors } from "../domain/job.errors.js";
import { JobEnd } from "./job-end.js";
import { jobChannel, JobEvents } from "./job-events.js";
import { JOB_PROCESSOR, type JobProcessor } from "./job-processor.js";
import { JOB_REPOSITORY, type JobRepository } from "./job.repository.js";
import { ProgressWriter } from "./progress-writer.js";

/**
 * Runs one delivery of a job, wherever it was delivered (embedded queue or a BullMQ worker).
 * Idempotent under at-least-once delivery: the run claims the row with a conditional write, so
 * a job already ended, cancelled or claimed since is left alone; a run whose process died is
 * claimed again by the next delivery and counted as an attempt.
 */
@injectable()
export class RunJob {
  private readonly processors: ReadonlyMap<string, JobProcessor>;

  constructor(
    @inject(JOB_REPOSITORY) private readonly jobs: JobRepository,
    @inject(JobEnd) private readonly end: JobEnd,
    @inject(JobEvents) private readonly events: JobEvents,
    @inject(EVENT_BUS) private readonly bus: EventBus,
    @multiInject(JOB_PROCESSOR) processors: JobProcessor[],
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(METRICS) private readonly metrics: Metrics,
  ) {
    this.processors = new Map(processors.map((processor) => [processor.type, processor]));
  }

  async execute(delivery: JobDelivery): Promise<JobRunOutcome> {
    const job = await this.jobs.findById(delivery.jobId);
    if (!job || job.isTerminal) return "done";
    job.start(this.clock.now());
    if (!(await this.jobs.save(job))) return "done";
    await this.events.published(job);
    this.metrics.jobStarted(job.type);
    const started = performance.now();
    // An outcome the run did not record itself (a row changed under it): counted as cancelled.
    let outcome: JobOutcome = "cancelled";

    const stop = new AbortController();
    const cancelled = () => stop.abort(new CancelledRun());
    const shuttingDown = () => stop.abort(delivery.signal.reason);
    delivery.signal.addEventListener("abort", shuttingDown, { once: true });
    const cancels = await listen(this.bus, jobChannel(job.id), { signal: stop.signal, bufferSize: 4 });
    void this.watchForCancel(cancels, job.id, cancelled);
    const progress = new ProgressWriter(
      job,
      (current) => this.writeProgress(current),
      cancelled,
      () => this.clock.now(),
    );
    progress.start();
    try {
      const processor = this.processors.get(job.type);
      if (!processor) throw JobErrors.noProcessor(job.type);
      const output = await processor.run(job, { signal: stop.signal, onProgress: (percent) => progress.report(percent) });
      await progress.stop();
      job.succeed(this.clock.now());
      if (await this.end.save(job, () => output.commit())) outcome = "succeeded";
      else await output.discard();
      return "done";
    } catch (error) {
      await progress.stop();
      if (stop.signal.reason instanceof CancelledRun) return "done";
      const failed = await this.failed(job, error, delivery.signal.aborted);
      if (failed.outcome) outcome = failed.outcome;
      return failed.result;
    } finally {
      this.metrics.jobFinished(job.type, outcome, (performance.now() - started) / 1000);
      delivery.signal.removeEventListener("abort", shuttingDown);
      stop.abort();
      await cancels.close();
    }
  }

  private async failed(
    job: Job,
    error: unknown,
    shuttingDown: boolean,
  ): Promise<{ result: JobRunOutcome; outcome?: JobOutcome }> {
    const current = await this.jobs.findById(job.id);
    if (!current || current.isTerminal || current.attempts !== job.attempts) return { result: "done" };
    if (shuttingDown) {
      // Shutting down: hand the job back without counting a failure; the next delivery runs it.
      current.requeue(this.clock.now());
      return (await this.end.save(current)) ? { result: "retry", outcome: "requeued" } : { result: "done" };
    }
    const permanent = error instanceof DomainError && error.details?.permanent === true;
    const reason = error instanceof Error ? error.message : String(error);
    if (!permanent) this.logger.warn("job attempt failed", { jobId: job.id, attempt: job.attempts, error });
    current.fail(reason, { permanent }, this.clock.now());
    if (!(await this.end.save(current))) return { result: "done" };
    return current.status === "QUEUED" ? { result: "retry", outcome: "retry" } : { result: "done", outcome: "failed" };
  }

  private async writeProgress(job: Job): Promise<boolean> {
    const saved = await this.jobs.save(job);
    if (saved) await this.events.published(job);
    return saved;
  }

  /** A cancel is published on the job's channel; the run stops within moments wherever it runs. */
  private async watchForCancel(events: AsyncIterable<unknown>, jobId: string, cancelled: () => void): Promise<void> {
    for await (const event of events) {
      if (typeof event === "object" && event !== null && "status" in event && event.status === "CANCELLED") {
        this.logger.info("job cancelled while running", { jobId });
        cancelled();
        return;
      }
    }
  }
}

class CancelledRun extends Error {
  constructor() {
    super("The job was cancelled");
  }
}
