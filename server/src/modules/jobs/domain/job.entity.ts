import { RecordedEvents, type EventType } from "../../../shared/domain/domain-event.js";
import { newId } from "../../../shared/domain/ids.js";
import { jobSnapshot } from "./job-snapshot.js";
import type { Quality } from "../../../shared/domain/quality.js";
import { copySpec, sameSpec, type JobParamsOf, type JobSpec } from "./job-params.js";
import { canTransition, isTerminal, type JobStatus, type JobType } from "./job-status.js";
import { JobErrors } from "./job.errors.js";

export const DEFAULT_MAX_ATTEMPTS = 3;
/** lastError is shown to the owner: enough to act on, never a full tool log. */
const MAX_ERROR_LENGTH = 1000;

export interface JobFields {
  id: string;
  videoId: string;
  ownerId: string;
  status: JobStatus;
  /** 1 for the first run; each jobs.retry starts the next, paid again. */
  run: number;
  progress: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** What the current run was charged. */
  creditsCharged: number;
  idempotencyKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Bumped by every write: orders the states a watcher sees, and is its event id. */
  revision: number;
}

export type JobState = JobFields & JobSpec;

export class Job {
  /** What happened to it since it was loaded; its repository writes them with the change. */
  readonly events = new RecordedEvents();
  /** The revision the stored row had when this was loaded (or last saved): a save is checked against it. */
  private storedRevision: number;

  private state: JobFields;
  /** What the job carries never changes once it is created. */
  private readonly what: JobSpec;

  private constructor(state: JobState) {
    const { type: _type, params: _params, ...fields } = state;
    this.state = fields;
    this.what = copySpec(state);
    this.storedRevision = state.revision;
  }

  static create(props: {
    videoId: string;
    ownerId: string;
    spec: JobSpec;
    creditsCharged: number;
    idempotencyKey: string | null;
    now: Date;
  }): Job {
    return new Job({
      ...copySpec(props.spec),
      id: newId(),
      videoId: props.videoId,
      ownerId: props.ownerId,
      status: "QUEUED",
      run: 1,
      progress: 0,
      attempts: 0,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      lastError: null,
      creditsCharged: props.creditsCharged,
      idempotencyKey: props.idempotencyKey,
      createdAt: props.now,
      updatedAt: props.now,
      startedAt: null,
      finishedAt: null,
      revision: 0,
    });
  }

  static rehydrate(state: JobState): Job {
    return new Job(state);
  }

  get id(): string {
    return this.state.id;
  }
  get videoId(): string {
    return this.state.videoId;
  }
  get ownerId(): string {
    return this.state.ownerId;
  }
  get type(): JobType {
    return this.what.type;
  }
  get status(): JobStatus {
    return this.state.status;
  }
  get attempts(): number {
    return this.state.attempts;
  }
  get run(): number {
    return this.state.run;
  }
  get quality(): Quality {
    return this.what.params.quality;
  }
  get spec(): JobSpec {
    return copySpec(this.what);
  }
  /** The parameters of a job its processor knows the type of; a job of another type is a wiring bug. */
  paramsOf<T extends JobType>(type: T): JobParamsOf<T> {
    if (this.what.type !== type) throw new Error(`job ${this.state.id} is ${this.what.type}, not ${type}`);
    return { ...this.what.params } as JobParamsOf<T>;
  }
  get creditsCharged(): number {
    return this.state.creditsCharged;
  }
  /**
   * Sent to an outside provider as its idempotency key: the attempts of one run continue one piece
   * of outside work, and the n-th retry starts a new one.
   */
  get runKey(): string {
    return this.state.run === 1 ? this.state.id : `${this.state.id}-${this.state.run - 1}`;
  }
  get isTerminal(): boolean {
    return isTerminal(this.state.status);
  }
  /** A failed or cancelled job gives its credits back. */
  get owesRefund(): boolean {
    return (this.state.status === "FAILED" || this.state.status === "CANCELLED") && this.state.creditsCharged > 0;
  }
  get attemptsLeft(): boolean {
    return this.state.attempts < this.state.maxAttempts;
  }

  get expectedRevision(): number {
    return this.storedRevision;
  }

  /** The repository calls this once the row holds this state. */
  markSaved(): void {
    this.storedRevision = this.state.revision;
  }

  isOwnedBy(userId: string): boolean {
    return this.state.ownerId === userId;
  }

  /**
   * Same request as the one that created this job: the idempotency key may return it. A request that
   * makes its own video (generation) names none.
   */
  isSameRequest(request: { videoId: string | null; spec: JobSpec }): boolean {
    return (request.videoId === null || this.state.videoId === request.videoId) && sameSpec(this.what, request.spec);
  }

  /** A run begins (again, if the previous holder died): each begins counting an attempt. */
  start(now: Date): void {
    this.transition("RUNNING", { attempts: this.state.attempts + 1, progress: 0, startedAt: now }, now);
  }

  /** Progress only moves forward within a run, and 100 is reserved for success. */
  reportProgress(percent: number, now: Date): boolean {
    if (this.state.status !== "RUNNING") return false;
    const progress = Math.min(99, Math.max(0, Math.floor(percent)));
    if (progress <= this.state.progress) return false;
    this.change({ progress }, now);
    return true;
  }

  succeed(now: Date): void {
    this.transition("SUCCEEDED", { progress: 100, lastError: null, finishedAt: now }, now);
    this.record("job.succeeded", now);
  }

  /** A transient failure with attempts left goes back to the queue; anything else ends the job. */
  fail(reason: string, options: { permanent: boolean }, now: Date): void {
    this.assertRunning("FAILED");
    const lastError = reason.slice(0, MAX_ERROR_LENGTH);
    if (!options.permanent && this.attemptsLeft) this.transition("QUEUED", { lastError, progress: 0 }, now);
    else {
      this.transition("FAILED", { lastError, finishedAt: now }, now);
      this.record("job.failed", now);
    }
  }

  /**
   * The run was handed back (its process is shutting down): queue it again without counting a
   * failure, and give back the attempt its start counted, so restarts never use up a job's
   * attempts. A run whose process died is never handed back: the next start counts it.
   */
  requeue(now: Date): void {
    this.assertRunning("QUEUED");
    this.transition("QUEUED", { progress: 0, attempts: Math.max(0, this.state.attempts - 1) }, now);
  }

  /** jobs.retry: a FAILED job starts its next run from scratch, charged `credits` again. */
  retry(credits: number, now: Date): void {
    if (this.state.status !== "FAILED") throw JobErrors.invalidState(this.state.status, "QUEUED");
    this.transition(
      "QUEUED",
      { run: this.state.run + 1, attempts: 0, progress: 0, creditsCharged: credits, startedAt: null, finishedAt: null },
      now,
    );
  }

  cancel(now: Date): void {
    this.transition("CANCELLED", { finishedAt: now }, now);
    this.record("job.cancelled", now);
  }

  toState(): Readonly<JobState> {
    return { ...this.state, ...copySpec(this.what) };
  }

  private record(type: EventType, now: Date): void {
    this.events.record(type, this.state, now, jobSnapshot(this));
  }

  private assertRunning(to: JobStatus): void {
    if (this.state.status !== "RUNNING") throw JobErrors.invalidState(this.state.status, to);
  }

  private transition(to: JobStatus, changes: Partial<JobFields>, now: Date): void {
    if (!canTransition(this.state.status, to)) throw JobErrors.invalidState(this.state.status, to);
    this.change({ ...changes, status: to }, now);
  }

  private change(changes: Partial<JobFields>, now: Date): void {
    this.state = { ...this.state, ...changes, updatedAt: now, revision: this.state.revision + 1 };
  }
}
