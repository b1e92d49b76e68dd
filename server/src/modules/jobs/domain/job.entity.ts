import { newId } from "../../../shared/domain/ids.js";
import type { Quality } from "../../../shared/domain/quality.js";
import { canTransition, isTerminal, type JobStatus, type JobType } from "./job-status.js";
import { JobErrors } from "./job.errors.js";

export const DEFAULT_MAX_ATTEMPTS = 3;
/** lastError is shown to the owner: enough to act on, never a full tool log. */
const MAX_ERROR_LENGTH = 1000;

export interface JobParams {
  quality: Quality;
}

export interface JobState {
  id: string;
  videoId: string;
  ownerId: string;
  type: JobType;
  status: JobStatus;
  progress: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  params: JobParams;
  creditsCharged: number;
  idempotencyKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Bumped by every write: orders the states a watcher sees, and is its event id. */
  revision: number;
}

export class Job {
  /** The revision the stored row had when this was loaded (or last saved): a save is checked against it. */
  private storedRevision: number;

  private constructor(private state: JobState) {
    this.storedRevision = state.revision;
  }

  static create(props: {
    videoId: string;
    ownerId: string;
    type: JobType;
    params: JobParams;
    creditsCharged: number;
    idempotencyKey: string | null;
    now: Date;
  }): Job {
    return new Job({
      id: newId(),
      videoId: props.videoId,
      ownerId: props.ownerId,
      type: props.type,
      status: "QUEUED",
      progress: 0,
      attempts: 0,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      lastError: null,
      params: { ...props.params },
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
    return new Job({ ...state, params: { ...state.params } });
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
    return this.state.type;
  }
  get status(): JobStatus {
    return this.state.status;
  }
  get attempts(): number {
    return this.state.attempts;
  }
  get params(): Readonly<JobParams> {
    return this.state.params;
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

  /** Same request as the one that created this job: the idempotency key may return it. */
  isSameRequest(request: { videoId: string; type: JobType; params: JobParams }): boolean {
    return (
      this.state.videoId === request.videoId &&
      this.state.type === request.type &&
      this.state.params.quality === request.params.quality
    );
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
  }

  /** A transient failure with attempts left goes back to the queue; anything else ends the job. */
  fail(reason: string, options: { permanent: boolean }, now: Date): void {
    const lastError = reason.slice(0, MAX_ERROR_LENGTH);
    if (!options.permanent && this.attemptsLeft) this.transition("QUEUED", { lastError, progress: 0 }, now);
    else this.transition("FAILED", { lastError, finishedAt: now }, now);
  }

  /** The run was lost (its process died): queue it again without counting a failure. */
  requeue(now: Date): void {
    this.transition("QUEUED", { progress: 0 }, now);
  }

  cancel(now: Date): void {
    this.transition("CANCELLED", { finishedAt: now }, now);
  }

  toState(): Readonly<JobState> {
    return { ...this.state, params: { ...this.state.params } };
  }

  private transition(to: JobStatus, changes: Partial<JobState>, now: Date): void {
    if (!canTransition(this.state.status, to)) throw JobErrors.invalidState(this.state.status, to);
    this.change({ ...changes, status: to }, now);
  }

  private change(changes: Partial<JobState>, now: Date): void {
    this.state = { ...this.state, ...changes, updatedAt: now, revision: this.state.revision + 1 };
  }
}
