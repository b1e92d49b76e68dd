import { RecordedEvents, type EventType } from "../../../shared/domain/domain-event.js";
import { newId } from "../../../shared/domain/ids.js";
import { videoSnapshot } from "./video-snapshot.js";
import { canTransition, type VideoStatus } from "./video-status.js";
import { VideoErrors } from "./video.errors.js";

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 5000;

export interface DeclaredUpload {
  key: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export interface VideoProbe {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
}

export interface VideoState {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: VideoStatus;
  upload: DeclaredUpload | null;
  probe: VideoProbe | null;
  /** The stored row's version this state was loaded at; a save succeeds only if it is still current. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export class Video {
  /** What happened to it since it was loaded; its repository writes them with the change. */
  readonly events = new RecordedEvents();

  private constructor(private state: VideoState) {}

  static create(props: { ownerId: string; title: string; description?: string | undefined; now: Date }): Video {
    return new Video({
      id: newId(),
      ownerId: props.ownerId,
      title: validTitle(props.title),
      description: validDescription(props.description ?? ""),
      status: "DRAFT",
      upload: null,
      probe: null,
      version: 1,
      createdAt: props.now,
      updatedAt: props.now,
      deletedAt: null,
    });
  }

  static rehydrate(state: VideoState): Video {
    return new Video({ ...state });
  }

  get id(): string {
    return this.state.id;
  }
  get ownerId(): string {
    return this.state.ownerId;
  }
  get status(): VideoStatus {
    return this.state.status;
  }
  get upload(): DeclaredUpload | null {
    return this.state.upload;
  }
  get probe(): VideoProbe | null {
    return this.state.probe;
  }
  get isDeleted(): boolean {
    return this.state.deletedAt !== null;
  }

  isOwnedBy(userId: string): boolean {
    return this.state.ownerId === userId;
  }

  edit(changes: { title?: string | undefined; description?: string | undefined }, now: Date): void {
    this.change(
      {
        ...(changes.title !== undefined ? { title: validTitle(changes.title) } : {}),
        ...(changes.description !== undefined ? { description: validDescription(changes.description) } : {}),
      },
      now,
    );
  }

  /** Declares the file about to be uploaded; asking again replaces the declaration (a new URL). */
  startUpload(upload: DeclaredUpload, now: Date): void {
    this.transition("UPLOADING", { upload, probe: null }, now);
  }

  markUploaded(probe: VideoProbe, now: Date): void {
    this.transition("UPLOADED", { probe }, now);
    this.record("video.uploaded", now);
  }

  /** The uploaded file was unusable: back to DRAFT so the owner can upload again. */
  rejectUpload(now: Date): void {
    this.transition("DRAFT", { upload: null, probe: null }, now);
  }

  /**
   * A generation job made the video's source: it is described and probed as an upload would have
   * been, so the video shows its size and duration the same way.
   */
  attachGeneratedSource(source: DeclaredUpload, probe: VideoProbe, now: Date): void {
    if (this.state.status !== "PROCESSING" || this.state.probe) throw VideoErrors.invalidState(this.state.status, "PROCESSING");
    this.change({ upload: source, probe }, now);
  }

  startProcessing(now: Date): void {
    this.transition("PROCESSING", {}, now);
  }

  markReady(now: Date): void {
    this.transition("READY", {}, now);
    this.record("video.ready", now);
  }

  markFailed(now: Date): void {
    this.transition("FAILED", {}, now);
    this.record("video.failed", now);
  }

  /** Its only processing was cancelled: the uploaded source is still there to process again. */
  cancelProcessing(now: Date): void {
    this.transition("UPLOADED", {}, now);
  }

  softDelete(now: Date): void {
    if (this.isDeleted) return;
    this.change({ deletedAt: now }, now);
    this.record("video.deleted", now);
  }

  /**
   * The repository calls this after a conditional save succeeded: the row is one version ahead
   * now, and so is this instance, so saving it again does not look like someone else's write.
   */
  markSaved(): void {
    this.state = { ...this.state, version: this.state.version + 1 };
  }

  toState(): Readonly<VideoState> {
    return { ...this.state };
  }

  private record(type: EventType, now: Date): void {
    this.events.record(type, this.state, now, videoSnapshot(this.state));
  }

  private transition(to: VideoStatus, changes: Partial<VideoState>, now: Date): void {
    if (!canTransition(this.state.status, to)) throw VideoErrors.invalidState(this.state.status, to);
    this.change({ ...changes, status: to }, now);
  }

  private change(changes: Partial<VideoState>, now: Date): void {
    this.state = { ...this.state, ...changes, updatedAt: now };
  }
}

function validTitle(raw: string): string {
  const title = raw.trim();
  if (title.length < 1 || title.length > TITLE_MAX_LENGTH) throw VideoErrors.invalidTitle();
  return title;
}

function validDescription(raw: string): string {
  const description = raw.trim();
  if (description.length > DESCRIPTION_MAX_LENGTH) throw VideoErrors.invalidDescription();
  return description;
}
