export type UploadSessionStatus = "ACTIVE" | "COMPLETED" | "ABORTED";

export interface UploadSession {
  id: string;
  videoId: string;
  ownerId: string;
  storageUploadId: string;
  storageKey: string;
  partSize: number;
  partCount: number;
  sizeBytes: number;
  contentType: string;
  filename: string;
  expiresAt: Date;
  status: UploadSessionStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface UploadSessionRepository {
  create(session: UploadSession): Promise<void>;
  findById(id: string): Promise<UploadSession | null>;
  /** The video's sessions still ACTIVE. */
  findActiveByVideo(videoId: string): Promise<UploadSession[]>;
  /** ACTIVE sessions whose expiry has passed, oldest first. */
  findExpiredIds(now: Date, limit: number): Promise<string[]>;
  /** Conditional on the status it had: false when another call changed it first. */
  changeStatus(id: string, from: UploadSessionStatus, to: UploadSessionStatus, now: Date): Promise<boolean>;
}

export const UPLOAD_SESSION_REPOSITORY = Symbol.for("UploadSessionRepository");
